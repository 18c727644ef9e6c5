"""Every write is all-or-nothing and leaves no temporary object behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import all_keys, new_job, temp_keys


class Boom(RuntimeError):
    pass


def test_no_temp_object_after_any_write(store: FsspecJobStore, tmp_path: Path) -> None:
    job = new_job(store)
    store.update_job(job)
    local = tmp_path / "input.txt"
    local.write_bytes(b"x" * 1000)
    file_id = store.write_file(str(local), job.jobStoreID, cleanup=True)
    hinted_id = store.write_file(str(local), hints=["wombat"])
    with store.write_file_stream(basename="s.bin") as (f, stream_id):
        f.write(b"streamed")
    store.update_file(file_id, str(local))
    with store.update_file_stream(stream_id) as f:
        f.write(b"updated")
    with store.write_shared_file_stream("shared.bin") as f:
        f.write(b"shared")
    store.get_empty_file_store_id(job.jobStoreID)
    store.write_logs("a message")
    assert temp_keys(store) == []
    assert store.file_exists(hinted_id)


@pytest.mark.parametrize("kind", ["file", "update", "shared", "hinted"])
def test_exception_mid_stream_leaves_nothing_visible(store: FsspecJobStore, kind: str) -> None:
    with store.write_file_stream() as (f, existing):
        f.write(b"old")
    before = all_keys(store)
    with pytest.raises(Boom):
        if kind == "file":
            with store.write_file_stream() as (f, _):
                f.write(b"partial")
                raise Boom
        elif kind == "update":
            with store.update_file_stream(existing) as f:
                f.write(b"partial")
                raise Boom
        elif kind == "shared":
            with store.write_shared_file_stream("never") as f:
                f.write(b"partial")
                raise Boom
        else:
            with store.write_file_stream(hints=["lions"]) as (f, _):
                f.write(b"partial")
                raise Boom
    after = [k for k in all_keys(store) if "/deleted/" not in k]
    assert after == before
    with store.read_file_stream(existing) as f:
        assert f.read() == b"old"


def test_failed_upload_keeps_old_version(
    store: FsspecJobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while committing leaves the previous version and no temporary object."""
    job = new_job(store, "keeper")
    job.remainingTryCount = 7
    store.update_job(job)
    storage = store.storage

    def broken(*args: object, **kwargs: object) -> None:
        raise ConnectionError("injected failure")

    if storage.capabilities.local:
        monkeypatch.setattr("fsjobstore._storage_writes.os.replace", broken)
    elif storage.capabilities.atomic_put:
        monkeypatch.setattr(storage.fs, "pipe_file", broken)
    elif storage.capabilities.name == "sftp":  # a POSIX rename over SFTP (not fs.mv)
        import asyncssh

        async def broken_rename(*args: object, **kwargs: object) -> None:
            broken()

        monkeypatch.setattr(asyncssh.SFTPClient, "posix_rename", broken_rename)
    else:
        monkeypatch.setattr(storage.fs, "mv", broken)
    job.remainingTryCount = 1
    with pytest.raises(OSError, match="injected failure"):
        store.update_job(job)
    monkeypatch.undo()
    assert store.load_job(job.jobStoreID).remainingTryCount == 7
    assert temp_keys(store) == []


def test_large_stream_failure_leaves_no_upload(store: FsspecJobStore) -> None:
    """A stream larger than one request fails mid-way: nothing appears."""
    before = all_keys(store)
    with pytest.raises(Boom), store.write_file_stream() as (f, _):
        for _ in range(12):
            f.write(os.urandom(1024 * 1024))
        raise Boom
    assert all_keys(store) == before
