"""An export onto the store's own keys (its marker, Toil's config, a job's
manifest) would overwrite the store: refused, naming the key.  Elsewhere under
the store's prefix (an outputs folder beside its keys) an export is a file like
any other.  (Toil's own `ftp://` handler imports only: no FTP exports.)"""

from __future__ import annotations

import os

import pytest

from fsjobstore import layout
from fsjobstore.errors import InvalidInputError
from fsjobstore.jobstore import FsspecJobStore
from tests.servers import Backend

pytestmark = pytest.mark.parametrize("backend", ["file", "memory", "s3", "az", "gs", "sftp"],
                                     indirect=True)


@pytest.mark.parametrize("key", [layout.MARKER, "shared/config.pickle", "jobs/x", ""])
def test_an_export_onto_a_store_key_is_refused(
    store: FsspecJobStore, backend: Backend, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    backend.reach_in_process(monkeypatch)
    with store.write_file_stream() as (stream, file_id):
        stream.write(b"not a marker")
    marker = store.storage.read_bytes(layout.MARKER)
    destination = f"{store.locator.removeprefix('fsspec:')}/{key}".rstrip("/")
    with pytest.raises(InvalidInputError, match=r"cannot export to .*: it is the job store"):
        store.export_file(file_id, destination)
    assert store.storage.read_bytes(layout.MARKER) == marker


def test_an_export_beside_the_stores_keys_is_written(
    store: FsspecJobStore, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend.reach_in_process(monkeypatch)
    with store.write_file_stream() as (stream, file_id):
        stream.write(b"result")
    store.export_file(file_id, f"{store.locator.removeprefix('fsspec:')}/outputs/result.txt")
    assert store.storage.read_bytes("outputs/result.txt") == b"result"
    store.storage.delete("outputs/result.txt")  # not the store's: destroy leaves it


def test_an_export_to_a_new_local_directory_makes_it(
    store: FsspecJobStore, tmp_path: os.PathLike[str]
) -> None:
    """As Toil's own directory store does; Toil's ``file:`` handler would not."""
    with store.write_file_stream() as (stream, file_id):
        stream.write(b"result")
    destination = os.path.join(tmp_path, "new dir", "sub", "result.txt")
    store.export_file(file_id, f"file://{destination.replace(' ', '%20')}")
    with open(destination, "rb") as f:
        assert f.read() == b"result"
