"""An FTP server down (every connect fails) after a transfer failed: each call
costs one connect attempt (against a stalled server, each waits for the
connect timeout) and raises a store error, never a raw socket error."""
from __future__ import annotations

import ftplib
import os
from typing import Any

import pytest

from fsjobstore.errors import FsJobStoreError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import new_job

pytestmark = [pytest.mark.parametrize("backend", ["ftp"], indirect=True),
              pytest.mark.timeout(120)]

DATA = os.urandom(10_000)


def _server_down(store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every later connect fails (as against a stalled server, once its timeout
    passed); the thread's current connection's next transfer times out."""
    fs = store.storage.fs
    attempts: list[str] = []

    def down() -> None:
        attempts.append("connect")
        fs.ftp = ftplib.FTP(timeout=1)  # what fsspec's _connect made before connecting
        raise TimeoutError("timed out (injected connect)")

    monkeypatch.setattr(fs, "_connect", down)
    ftp = fs.ftp
    real = ftp.transfercmd

    def transfercmd(cmd: str, rest: Any = None) -> Any:
        real(cmd, rest).close()
        raise TimeoutError("timed out (injected transfer)")

    ftp.transfercmd = transfercmd
    return attempts


def test_connect_attempts_for_one_failed_read(store: FsspecJobStore,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with store.write_file_stream() as (stream, file_id):
        stream.write(DATA)
    attempts = _server_down(store, monkeypatch)
    with pytest.raises(FsJobStoreError):
        store.read_file_stream(file_id).__enter__()
    # A stalled server costs the connect timeout (fsspec's default 30 s) per attempt.
    assert len(attempts) == 1


def test_a_call_while_the_server_is_down_raises_a_store_error(
        store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    job = new_job(store)
    _server_down(store, monkeypatch)
    with pytest.raises(FsJobStoreError):  # the read: BackendError
        store.load_job(str(job.jobStoreID))
    # The connection is now without a socket; every self.fs connects first.
    storage = store.storage
    with pytest.raises(FsJobStoreError):
        storage.delete_many([f"jobs/{job.jobStoreID}"])


def test_connect_attempts_for_a_read_while_the_server_stays_down(
        store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch) -> None:
    with store.write_file_stream() as (stream, file_id):
        stream.write(DATA)
    attempts = _server_down(store, monkeypatch)
    with pytest.raises(FsJobStoreError):
        store.read_file_stream(file_id).__enter__()
    attempts.clear()
    with pytest.raises(FsJobStoreError):
        store.read_file_stream(file_id).__enter__()
    assert len(attempts) == 1
    attempts.clear()
    with pytest.raises(FsJobStoreError):
        store.file_exists(file_id)
    assert len(attempts) == 1

