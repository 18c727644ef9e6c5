"""Exports to URLs through fsspec are atomic, as Toil's own: an export that fails
midway (the job store's read breaks, say) leaves the destination as it was."""

from __future__ import annotations

import io
from urllib.parse import urlparse

import pytest

from fsjobstore import _storage_writes
from fsjobstore.toil_url import FsspecURLAccess
from tests.servers import Backend

#: More than one part, so that object stores have begun an upload.
SIZE = _storage_writes._PART_SIZE + 5


class Source(io.RawIOBase):
    """SIZE bytes of *fill*; with *fail*, a broken read once that many were given."""

    def __init__(self, fill: bytes, fail: int | None = None) -> None:
        self._fill, self._fail, self._given = fill, fail, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._fail is not None and self._given >= self._fail:
            raise ConnectionError("injected: the job store's read broke")
        n = min(len(buffer), SIZE - self._given, 1 << 20)
        buffer[:n] = self._fill * n
        self._given += n
        return n


#: Schemes Toil leaves to this plugin, and the test backend that serves each.
_SERVED_BY = {"memory": "memory", "az": "az", "sftp": "sftp", "s3a": "s3", "gcs": "gs"}


@pytest.fixture(params=list(_SERVED_BY))
def exported(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> tuple[
        Backend, str]:
    """A backend reachable by plain URL, as in a worker, and a fresh folder URL on
    it in a scheme the plugin serves (``s3://`` and ``gs://`` are Toil's own, their
    aliases ``s3a://`` and ``gcs://`` this plugin's)."""
    backend: Backend = request.getfixturevalue(f"{_SERVED_BY[request.param]}_backend")
    backend.reach_in_process(monkeypatch)
    return backend, f"{request.param}://{backend.new_url().split('://', 1)[1]}"


def test_a_failed_export_leaves_the_destination_as_it_was(
    exported: tuple[Backend, str],
) -> None:
    backend, folder_url = exported
    fs = backend.filesystem()
    folder = fs._strip_protocol(folder_url)
    fs.makedirs(folder, exist_ok=True)
    fs.pipe_file(f"{folder}/out.bin", b"old version")
    url = urlparse(f"{folder_url}/out.bin")
    with pytest.raises(ConnectionError, match="injected"):
        FsspecURLAccess._write_to_url(io.BufferedReader(Source(b"n", fail=SIZE - 5)), url)
    assert fs.cat_file(f"{folder}/out.bin") == b"old version"
    assert [p.rsplit("/", 1)[-1] for p in fs.find(folder)] == ["out.bin"]  # no temporary
    FsspecURLAccess._write_to_url(io.BufferedReader(Source(b"n")), url)
    fs.invalidate_cache()
    assert fs.cat_file(f"{folder}/out.bin") == b"n" * SIZE
    assert [p.rsplit("/", 1)[-1] for p in fs.find(folder)] == ["out.bin"]


# Not Azure: on object stores a key may sit beside a prefix of the same name.
@pytest.mark.parametrize("reached", ["memory", "sftp"], indirect=True)
def test_an_export_onto_a_directory_is_refused(reached: Backend) -> None:
    fs = reached.filesystem()
    folder_url = reached.new_url()
    folder = fs._strip_protocol(folder_url)
    fs.makedirs(f"{folder}/results", exist_ok=True)
    fs.pipe_file(f"{folder}/results/kept.txt", b"kept")  # object stores: a prefix with a key
    with pytest.raises(IsADirectoryError) as caught:
        FsspecURLAccess._write_to_url(io.BufferedReader(Source(b"n")), urlparse(
            f"{folder_url}/results"))
    assert caught.value.filename == f"{folder_url}/results"
    assert sorted(p.rsplit("/", 1)[-1] for p in fs.find(folder)) == ["kept.txt"]
