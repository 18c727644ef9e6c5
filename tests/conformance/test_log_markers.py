"""Log delivery markers: a hard link to the message on a local disk (no new file),
an empty object elsewhere, and an empty file where a link cannot be made."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from toil.common import Config

from fsjobstore import layout
from fsjobstore.errors import BackendError
from fsjobstore.jobstore import FsspecJobStore


@pytest.fixture
def local_store(tmp_path: Path) -> Iterator[FsspecJobStore]:
    store = FsspecJobStore(f"file://{tmp_path}/store")
    store.initialize(Config())
    yield store
    store.destroy()


def _read(store: FsspecJobStore) -> list[bytes]:
    seen: list[bytes] = []

    def callback(stream: IO[bytes]) -> None:
        seen.append(stream.read())

    store.read_logs(callback)
    return seen


def _paths(store: FsspecJobStore, top: str) -> dict[str, Path]:
    return {k.rsplit("/", 1)[-1]: Path(store.storage.path(k))
            for k in store.storage.list_keys(top)}


def test_every_backend_marks_exactly_the_delivered_messages(store: FsspecJobStore) -> None:
    store.write_logs("a")
    store.write_logs("b")
    assert sorted(_read(store)) == [b"a", b"b"]
    messages = store.storage.list_keys(layout.LOGS)
    markers = store.storage.list_keys(layout.LOGS_READ)
    assert sorted(k.rsplit("/", 1)[-1] for k in markers) == sorted(
        k.rsplit("/", 1)[-1] for k in messages)
    if not store.storage.capabilities.local:
        assert all(store.storage.read_bytes(k) == b"" for k in markers)


def test_local_marker_is_a_hard_link_to_its_message(local_store: FsspecJobStore) -> None:
    local_store.write_logs("hello")
    assert _read(local_store) == [b"hello"]
    (name, message), = _paths(local_store, layout.LOGS).items()
    marker = _paths(local_store, layout.LOGS_READ)[name]
    assert os.stat(marker).st_ino == os.stat(message).st_ino
    assert os.stat(message).st_nlink == 2
    assert _read(local_store) == []


def test_local_marker_directory_is_made_on_first_use(local_store: FsspecJobStore) -> None:
    shutil.rmtree(local_store.storage.path(layout.LOGS_READ), ignore_errors=True)
    local_store.write_logs("first")
    assert _read(local_store) == [b"first"]
    (name, message), = _paths(local_store, layout.LOGS).items()
    assert os.stat(_paths(local_store, layout.LOGS_READ)[name]).st_ino == os.stat(message).st_ino


@pytest.mark.parametrize("code", [errno.EPERM, errno.EXDEV, errno.EOPNOTSUPP, errno.EMLINK])
def test_local_marker_is_an_empty_file_where_links_fail(
    local_store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    def no_links(*_: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "link", no_links)
    local_store.write_logs("m")
    assert _read(local_store) == [b"m"]
    (marker,) = _paths(local_store, layout.LOGS_READ).values()
    assert marker.read_bytes() == b""
    assert _read(local_store) == []


def test_local_marker_for_a_message_deleted_while_read(local_store: FsspecJobStore) -> None:
    local_store.write_logs("gone soon")
    (message,) = _paths(local_store, layout.LOGS).values()

    def delete_it(stream: IO[bytes]) -> None:
        stream.read()
        message.unlink()

    assert local_store.read_logs(delete_it) == 1
    (marker,) = _paths(local_store, layout.LOGS_READ).values()
    assert marker.read_bytes() == b""


def test_local_link_failure_is_a_clear_error_naming_the_marker(
    local_store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_disk(*_: object) -> None:
        raise OSError(errno.EIO, "Input/output error")

    local_store.write_logs("m")
    monkeypatch.setattr(os, "link", broken_disk)
    with pytest.raises(BackendError, match=r"write logs\.read/.*\.log failed: .*Input/output"):
        _read(local_store)
