"""Local writes: os.write to a temporary sibling, uploads through sendfile, and empty
objects (log delivery markers) in one step; whole, atomic, no temporaries left."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest

from fsjobstore import _local_io, _storage_writes
from fsjobstore.errors import BackendError, ObjectExistsError
from fsjobstore.storage import Storage

_LARGE = 3 * 1024 * 1024 + 17
needs_sendfile = pytest.mark.skipif(_local_io._sendfile is None,
                                    reason="sendfile between files is Linux only")


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    return Storage(f"file://{tmp_path}/store")


def _names(storage: Storage) -> list[str]:
    return sorted(p.name for p in Path(storage.root).rglob("*") if p.is_file())


def _source(tmp_path: Path, payload: bytes) -> str:
    """A local file holding *payload*, to upload."""
    source = tmp_path / "in.bin"
    source.write_bytes(payload)
    return str(source)


def test_empty_object_is_created_without_a_temporary(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rename(*_: object) -> None:
        raise AssertionError("an empty new object needs no rename")

    monkeypatch.setattr("fsjobstore._storage_writes.os.replace", no_rename)
    storage.write_bytes("logs/read/m1", b"")
    assert storage.read_bytes("logs/read/m1") == b""
    assert _names(storage) == ["m1"]


def test_empty_write_replaces_an_existing_object_atomically(storage: Storage) -> None:
    storage.write_bytes("shared/x", b"old content")
    inode = os.stat(Path(storage.root, "shared/x")).st_ino
    storage.write_bytes("shared/x", b"")
    assert storage.read_bytes("shared/x") == b""
    # A new file renamed over the old one (never truncated in place under a reader).
    assert os.stat(Path(storage.root, "shared/x")).st_ino != inode
    assert _names(storage) == ["x"]


def test_exclusive_empty_write_refuses_an_existing_object(storage: Storage) -> None:
    storage.write_bytes("shared/y", b"kept")
    with pytest.raises(ObjectExistsError):
        storage.write_bytes("shared/y", b"", exclusive=True)
    assert storage.read_bytes("shared/y") == b"kept"


def test_short_writes_still_store_every_byte(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = _local_io._write
    calls: list[int] = []

    def short_write(fd: int, data: bytes | memoryview) -> int:
        calls.append(len(data))
        return real_write(fd, data[:1000])

    monkeypatch.setattr(_local_io, "_write", short_write)
    payload = os.urandom(10_500)
    storage.write_bytes("shared/x", payload)
    assert storage.read_bytes("shared/x") == payload
    assert len(calls) == 11


def test_a_failed_write_keeps_the_old_version_and_no_temporary(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage.write_bytes("shared/x", b"old")

    def full_disk(fd: int, data: bytes | memoryview) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_local_io, "_write", full_disk)
    with pytest.raises(BackendError, match="shared/x"):
        storage.write_bytes("shared/x", b"new")
    assert storage.read_bytes("shared/x") == b"old"
    assert _names(storage) == ["x"]


@needs_sendfile
@pytest.mark.parametrize("size", [0, 5, _LARGE])
def test_uploads_copy_in_the_kernel(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    real = _local_io._sendfile
    assert real is not None
    calls: list[int] = []

    def counted(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
        calls.append(count)
        return real(out_fd, in_fd, offset, count)

    monkeypatch.setattr(_local_io, "_sendfile", counted)
    payload = os.urandom(size)
    storage.put_local(_source(tmp_path, payload), "files/a/in.bin")
    assert storage.read_bytes("files/a/in.bin") == payload
    assert calls  # no copy through Python's buffers
    assert _names(storage) == ["in.bin"]


def test_uploads_fall_back_when_sendfile_cannot_start(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuses(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(_local_io, "_sendfile", refuses)
    payload = os.urandom(_LARGE)
    storage.put_local(_source(tmp_path, payload), "files/a/in.bin")
    assert storage.read_bytes("files/a/in.bin") == payload


@needs_sendfile
def test_an_upload_failing_midway_keeps_the_old_version(
    storage: Storage, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage.write_bytes("files/a/in.bin", b"old")
    real = _local_io._sendfile
    assert real is not None
    sent: list[int] = []

    def fails_after_one_block(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
        if sent:
            raise OSError(errno.EIO, "Input/output error")
        sent.append(real(out_fd, in_fd, offset, 1024 * 1024))
        return sent[-1]

    monkeypatch.setattr(_local_io, "_sendfile", fails_after_one_block)
    source = _source(tmp_path, os.urandom(_LARGE))
    with pytest.raises(BackendError, match=r"files/a/in\.bin"):
        storage.put_local(source, "files/a/in.bin")
    assert storage.read_bytes("files/a/in.bin") == b"old"  # not a partial copy
    assert _names(storage) == ["in.bin"]


def test_a_stream_whose_last_bytes_do_not_fit_names_the_key(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last buffered bytes reach the disk when the stream is closed: a full
    # disk fails there, and the error names the store's key, not a temporary file.
    storage.write_bytes("shared/x", b"old")

    class FullAtClose(io.BufferedWriter):
        def close(self) -> None:
            if not self.closed:
                super().close()
                raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_storage_writes, "open",
                        lambda fd, mode: FullAtClose(io.FileIO(fd, mode)), raising=False)
    with pytest.raises(BackendError, match="shared/x"), storage.write_stream("shared/x") as f:
        f.write(b"new")
    monkeypatch.undo()
    assert storage.read_bytes("shared/x") == b"old"
    assert _names(storage) == ["x"]
