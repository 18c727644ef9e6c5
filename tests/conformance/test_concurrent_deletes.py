"""Two deletes of one job at once (two processes): what the other removed first
is no error (a key already gone never is), on a local disk, on FTP and on SFTP, whose
directories are real."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from toil.common import Config

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import new_job
from tests.servers import Backend


def _job_with_files(store: FsspecJobStore) -> str:
    job = new_job(store)
    for name in ("a", "b"):
        with store.write_file_stream(str(job.jobStoreID), cleanup=True,
                                     basename=name) as (stream, _):
            stream.write(name.encode())
    return str(job.jobStoreID)


def _twice(real: Callable[..., Any]) -> Callable[..., Any]:
    """*real*, called first for the other process (which wins), then for us."""

    def both(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        return real(*args, **kwargs)

    return both


@pytest.mark.parametrize("backend", ["file"], indirect=True)
def test_a_local_delete_skips_what_another_process_removed(
        backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    store.initialize(Config())
    job_id = _job_with_files(store)
    with monkeypatch.context() as patched:
        patched.setattr(os, "unlink", _twice(os.unlink))
        patched.setattr(os, "rmdir", _twice(os.rmdir))
        store.delete_job(job_id)
    assert not store.job_exists(job_id)
    assert store.storage.list_keys("owned") == []
    store.destroy()


@pytest.mark.parametrize("backend", ["ftp"], indirect=True)
def test_an_ftp_directory_another_process_removed_is_no_error(backend: Backend) -> None:
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    store.initialize(Config())
    job_id = _job_with_files(store)
    fs = store.storage.fs
    # The other process removes each directory just before this one does: the
    # server answers this one's RMD with a 550, an ftplib.error_perm.
    fs.rmdir = _twice(fs.rmdir)
    try:
        store.delete_job(job_id)
    finally:
        del fs.rmdir
    assert not store.job_exists(job_id)
    assert not fs.exists(store.storage.path(f"owned/{job_id}"))
    store.destroy()


def _twice_async(real: Callable[..., Any], calls: list[str]) -> Callable[..., Any]:
    """*real* (a coroutine function), awaited first for the other process, then
    for us; each path is added to *calls*."""

    async def both(self: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(path)
        await real(self, path, *args, **kwargs)
        return await real(self, path, *args, **kwargs)

    return both


@pytest.mark.parametrize("backend", ["sftp"], indirect=True)
def test_an_sftp_path_another_process_removed_is_no_error(
        backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncssh

    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    store.initialize(Config())
    job_id = _job_with_files(store)
    # The other process removes each file and directory just before this one
    # does: the server answers this one's with "no such file".
    unlinked: list[str] = []
    removed: list[str] = []
    with monkeypatch.context() as patched:
        client = asyncssh.SFTPClient
        patched.setattr(client, "unlink", _twice_async(client.unlink, unlinked))
        patched.setattr(client, "rmdir", _twice_async(client.rmdir, removed))
        store.delete_job(job_id)
    assert len(unlinked) >= 3 and removed  # the manifest, both files, their directories
    assert not store.job_exists(job_id)
    assert not store.storage.fs.exists(store.storage.path(f"owned/{job_id}"))
    store.destroy()
