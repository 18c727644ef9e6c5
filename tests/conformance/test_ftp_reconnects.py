"""A data connection refused or timed out under load leaves ftplib's control connection
a reply behind: the server's answer to the transfer's command stays unread, and
every later command on that connection is answered with the one before's reply.
Each idempotent call is made once more on a new control connection; a rename
whose answer was lost is judged by what the server holds afterwards.

The failure is injected at the client, on the thread's connection only: its
next data connection fails (:data:`FAILURES`).  fsspec's FTP takes some of these
for a missing file or an empty directory, or leaves the connection a reply
behind for the calls after it.
"""

from __future__ import annotations

import ftplib
import os
from pathlib import Path
from typing import Any

import pytest

from fsjobstore.errors import BackendError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import new_job, temp_keys

pytestmark = [pytest.mark.parametrize("backend", ["ftp"], indirect=True),
              pytest.mark.timeout(120)]

DATA = os.urandom(100_000)


#: How the thread's next data connection fails: it times out after its command
#: was sent (the server's reply to it left unread: a reply behind), it is refused
#: before the command (passive mode connects first), or the server answers 425.
FAILURES = ["timed-out", "refused", "425"]


@pytest.fixture(params=FAILURES)
def failure(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def fail_next_transfer(store: FsspecJobStore, failure: str) -> ftplib.FTP:
    """Make the next data connection of the thread's FTP connection fail as
    *failure* says (one of :data:`FAILURES`); that connection."""
    ftp: ftplib.FTP = store.storage.fs.ftp
    real = ftp.transfercmd
    failed: list[str] = []

    def transfercmd(cmd: str, rest: Any = None) -> Any:
        if failed:
            return real(cmd, rest)
        failed.append(cmd)
        if failure == "refused":
            raise ConnectionRefusedError(111, "Connection refused (injected)")
        if failure == "425":
            raise ftplib.error_temp("425 Can't open data connection (injected)")
        real(cmd, rest).close()
        raise TimeoutError("timed out (injected)")

    ftp.transfercmd = transfercmd  # type: ignore[method-assign]
    return ftp


def reconnected(store: FsspecJobStore, old: ftplib.FTP) -> bool:
    return store.storage.fs.ftp is not old


def test_read_file(store: FsspecJobStore, tmp_path: Path, failure: str) -> None:
    source = tmp_path / "source"
    source.write_bytes(DATA)
    file_id = store.write_file(str(source))
    old = fail_next_transfer(store, failure)
    store.read_file(file_id, str(tmp_path / "copy"))
    assert (tmp_path / "copy").read_bytes() == DATA
    assert reconnected(store, old)


def test_load_job(store: FsspecJobStore, failure: str) -> None:
    job = new_job(store)
    old = fail_next_transfer(store, failure)
    assert store.load_job(job.jobStoreID).jobStoreID == job.jobStoreID
    assert reconnected(store, old)


def test_file_exists_and_size(store: FsspecJobStore, failure: str) -> None:
    with store.write_file_stream() as (stream, file_id):
        stream.write(DATA)
    fail_next_transfer(store, failure)
    assert store.file_exists(file_id)
    fail_next_transfer(store, failure)
    assert store.get_file_size(file_id) == len(DATA)
    assert not store.file_exists(file_id + "-other")  # a missing file is still missing


def test_delete_file(store: FsspecJobStore) -> None:
    with store.write_file_stream() as (stream, file_id):
        stream.write(DATA)
    old = lose_reply_to(store, "DELE")  # deleted: a second DELE finds nothing
    store.delete_file(file_id)
    assert reconnected(store, old)
    assert not store.file_exists(file_id)


def test_listing_jobs(store: FsspecJobStore, failure: str) -> None:
    jobs = {new_job(store, f"job{i}").jobStoreID for i in range(3)}
    old = fail_next_transfer(store, failure)
    assert {job.jobStoreID for job in store.jobs()} == jobs
    assert reconnected(store, old)


def test_the_top_level(store: FsspecJobStore, failure: str) -> None:
    # What open_view and initialize ask first: a failed listing is no empty store.
    new_job(store)
    storage = store.storage
    before = storage.list_top_level()
    old = fail_next_transfer(store, failure)
    assert storage.list_top_level() == before
    assert reconnected(store, old)
    fail_next_transfer(store, failure)
    assert storage.root_contents() == "objects"


def test_write_file(store: FsspecJobStore, tmp_path: Path, failure: str) -> None:
    source = tmp_path / "source"
    source.write_bytes(DATA)
    old = fail_next_transfer(store, failure)
    file_id = store.write_file(str(source))
    with store.read_file_stream(file_id) as stored:
        assert stored.read() == DATA
    assert temp_keys(store) == []
    assert reconnected(store, old)


def lose_reply_to(store: FsspecJobStore, command: str) -> ftplib.FTP:
    """Send the thread's next *command* (``DELE``, ``RNFR``, ``RNTO``) and leave its
    reply unread, as a connection that timed out waiting for it; that connection."""
    ftp: ftplib.FTP = store.storage.fs.ftp
    failed: list[str] = []

    def losing(real: Any) -> Any:
        def call(cmd: str) -> str:
            if failed or not cmd.startswith(f"{command} "):
                return str(real(cmd))
            failed.append(cmd)
            ftp.putcmd(cmd)
            raise TimeoutError("timed out (injected)")
        return call

    ftp.sendcmd = losing(ftp.sendcmd)  # type: ignore[method-assign]
    ftp.voidcmd = losing(ftp.voidcmd)  # type: ignore[method-assign]
    return ftp


@pytest.mark.parametrize("command", ["RNTO", "RNFR"])
def test_a_rename_whose_reply_was_lost(store: FsspecJobStore, command: str) -> None:
    """RNTO: the server renamed, and the write stands.  RNFR: RNTO never left, and
    the rename is made once more."""
    with store.write_file_stream() as (stream, file_id):
        stream.write(b"old")
    old = lose_reply_to(store, command)
    with store.update_file_stream(file_id) as stream:
        stream.write(DATA)
    with store.read_file_stream(file_id) as stored:
        assert stored.read() == DATA
    assert temp_keys(store) == []
    assert reconnected(store, old)



def test_a_reconnect_that_failed_is_made_again(
    store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server stalled or restarted: the transfer fails, and so does the new
    # connection, which fsspec leaves without a socket.  Once the server answers
    # again, the next call connects anew.
    with store.write_file_stream() as (stream, file_id):
        stream.write(DATA)
    fs = store.storage.fs
    real = fs._connect
    refused: list[str] = []

    def down() -> None:
        if refused:
            real()
            return
        refused.append("once")
        fs.ftp = ftplib.FTP(timeout=1)  # what fsspec's _connect made before connecting
        raise ConnectionRefusedError(111, "Connection refused (injected)")

    monkeypatch.setattr(fs, "_connect", down)
    fail_next_transfer(store, "timed-out")
    with pytest.raises(BackendError, match="Connection refused"):
        store.read_file_stream(file_id).__enter__()
    assert refused
    with store.read_file_stream(file_id) as stored:
        assert stored.read() == DATA
    assert store.file_exists(file_id)
