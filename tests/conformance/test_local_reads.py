"""read_file on a local store: a hard link where it can be, a private copy where it must."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance.conftest import initialized
from tests.servers import Backend


@pytest.fixture
def local_store(file_backend: Backend) -> Iterator[FsspecJobStore]:
    yield from initialized(file_backend)


def stored_path(store: FsspecJobStore, file_id: str) -> str:
    return store.storage.path(str(file_id))


def test_read_file_links_the_stored_file(local_store: FsspecJobStore, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(b"linked")
    file_id = local_store.write_file(str(source))
    out = tmp_path / "out.txt"
    local_store.read_file(file_id, str(out))
    assert os.path.samefile(out, stored_path(local_store, file_id))
    out.unlink()
    out.write_bytes(b"stale")  # a different existing file is replaced, still by a link
    local_store.read_file(file_id, str(out))
    assert os.path.samefile(out, stored_path(local_store, file_id))
    assert out.read_bytes() == b"linked"


def test_update_does_not_change_a_linked_copy(local_store: FsspecJobStore, tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(b"version 1")
    file_id = local_store.write_file(str(source))
    out = tmp_path / "out.txt"
    local_store.read_file(file_id, str(out))
    source.write_bytes(b"version 2")
    local_store.update_file(file_id, str(source))
    assert out.read_bytes() == b"version 1"  # stored files are replaced, never rewritten


def test_executable_files_are_copied_with_the_bit(
    local_store: FsspecJobStore, tmp_path: Path
) -> None:
    source = tmp_path / "tool.sh"
    source.write_bytes(b"#!/bin/sh\n")
    source.chmod(0o755)
    file_id = local_store.write_file(str(source))
    out = tmp_path / "tool-copy.sh"
    local_store.read_file(file_id, str(out))
    assert not os.path.samefile(out, stored_path(local_store, file_id))
    assert os.stat(out).st_mode & stat.S_IXUSR
