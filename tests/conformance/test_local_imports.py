"""import_file of a local file into a local store: a hard link or a kernel copy.

Toil's own directory store symlinks imports under ``--symlinkImports`` (on by
default) when the caller can take a link.  fsjobstore hard-links there instead
(the store keeps the content even if the original is moved or deleted), copies
where the caller cannot take a link, and never lets a store operation change
the user's file.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from toil.jobStores.fileJobStore import FileJobStore

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance.conftest import initialized
from tests.servers import Backend


@pytest.fixture
def local_store(file_backend: Backend) -> Iterator[FsspecJobStore]:
    yield from initialized(file_backend)


@pytest.fixture
def no_streaming(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any import that reads the source through Python."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the import streamed the file through Python")

    monkeypatch.setattr(FileJobStore, "_read_from_url", classmethod(refuse))


def stored(store: FsspecJobStore, file_id: str) -> Path:
    return Path(store.storage.path(str(file_id)))


def source_file(tmp_path: Path, data: bytes = b"input data\n", mode: int = 0o644) -> Path:
    path = tmp_path / "reads.fastq"
    path.write_bytes(data)
    path.chmod(mode)
    return path


@pytest.mark.usefixtures("no_streaming")
def test_a_linkable_import_is_a_hard_link(local_store: FsspecJobStore, tmp_path: Path) -> None:
    source = source_file(tmp_path)
    file_id = local_store.import_file(source.as_uri(), symlink=True)
    assert file_id is not None
    assert stored(local_store, file_id).stat().st_ino == source.stat().st_ino
    assert file_id.size == len(b"input data\n")
    assert str(file_id).endswith("/reads.fastq")
    assert not file_id.executable


@pytest.mark.usefixtures("no_streaming")
@pytest.mark.parametrize("how", ["symlink=False", "--symlinkImports false", "no link possible"])
def test_otherwise_the_import_is_a_copy(
    local_store: FsspecJobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    source = source_file(tmp_path, os.urandom(3 * 1024 * 1024))
    symlink = how != "symlink=False"
    if how == "--symlinkImports false":
        monkeypatch.setattr(local_store.config, "symlinkImports", False)
    if how == "no link possible":
        def cross_device(src: str, dst: str) -> None:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        monkeypatch.setattr(os, "link", cross_device)
    file_id = local_store.import_file(source.as_uri(), symlink=symlink)
    assert file_id is not None
    copy = stored(local_store, file_id)
    assert copy.stat().st_ino != source.stat().st_ino
    assert copy.read_bytes() == source.read_bytes()
    assert file_id.size == source.stat().st_size


def test_store_operations_never_change_the_users_file(
    local_store: FsspecJobStore, tmp_path: Path
) -> None:
    source = source_file(tmp_path, b"original\n", mode=0o750)
    before = source.stat()
    file_id = local_store.import_file(source.as_uri(), symlink=True)
    assert file_id is not None and file_id.executable
    local_store.read_file(str(file_id), str(tmp_path / "exec-copy"))  # an executable copy
    other = tmp_path / "other"
    other.write_bytes(b"updated\n")
    local_store.update_file(str(file_id), str(other))
    with local_store.update_file_stream(str(file_id)) as stream:
        stream.write(b"streamed\n")
    assert stored(local_store, file_id).read_bytes() == b"streamed\n"
    local_store.delete_file(str(file_id))
    local_store.destroy()
    assert source.read_bytes() == b"original\n"
    after = source.stat()
    assert (after.st_ino, after.st_mode, after.st_mtime_ns) == (
        before.st_ino, before.st_mode, before.st_mtime_ns)
    local_store.initialize(type(local_store.config)())  # for the fixture's destroy


def test_the_link_keeps_the_content_when_the_original_goes(
    local_store: FsspecJobStore, tmp_path: Path
) -> None:
    source = source_file(tmp_path, b"kept\n")
    file_id = local_store.import_file(source.as_uri())
    assert file_id is not None
    source.unlink()
    with local_store.read_file_stream(str(file_id)) as stream:
        assert stream.read() == b"kept\n"


def test_directories_are_refused_and_shared_imports_still_work(
    local_store: FsspecJobStore, tmp_path: Path
) -> None:
    with pytest.raises(IsADirectoryError, match="directory"):
        local_store.import_file(tmp_path.as_uri())
    source = source_file(tmp_path, b"shared\n")
    assert local_store.import_file(source.as_uri(), shared_file_name="shared.txt") is None
    with local_store.read_shared_file_stream("shared.txt") as stream:
        assert stream.read() == b"shared\n"


@pytest.mark.usefixtures("no_streaming")
def test_a_localhost_url_is_linked_too(local_store: FsspecJobStore, tmp_path: Path) -> None:
    source = source_file(tmp_path)
    file_id = local_store.import_file(f"file://localhost{source}")
    assert file_id is not None
    assert stored(local_store, file_id).stat().st_ino == source.stat().st_ino


def test_a_url_naming_another_host_is_refused(local_store: FsspecJobStore, tmp_path: Path) -> None:
    source = source_file(tmp_path)
    with pytest.raises(RuntimeError, match="invalid"):
        local_store.import_file(f"file://elsewhere{source}")


def test_a_named_pipe_is_read_as_a_stream(local_store: FsspecJobStore, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=fifo.write_bytes, args=(b"piped\n",))
    writer.start()
    file_id = local_store.import_file(fifo.as_uri())
    writer.join()
    assert file_id is not None
    with local_store.read_file_stream(str(file_id)) as stream:
        assert stream.read() == b"piped\n"
    assert stored(local_store, file_id).stat().st_ino != fifo.stat().st_ino
