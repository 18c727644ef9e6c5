"""Each upload to FTP is one transfer: one STOR, one data connection.

fsspec's FTP file sends a STOR with REST for every block it buffers (64 KiB by
default), each on a data connection of its own: an 850 MiB file took 13,600,
each leaving a port in TIME_WAIT for a minute.  Counted at the thread's own
ftplib connection, every command passed on to the server.
"""

from __future__ import annotations

import ftplib
import os
from pathlib import Path
from typing import Any

import pytest

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import new_job

pytestmark = pytest.mark.parametrize("backend", ["ftp"], indirect=True)

SIZES = [100_000, 9 * 1024 * 1024]  # below and above a small object's 8 MiB


def record_transfers(store: FsspecJobStore) -> list[str]:
    """The commands of the data transfers the thread's FTP connection makes from now."""
    ftp: ftplib.FTP = store.storage.fs.ftp
    real = ftp.transfercmd
    commands: list[str] = []

    def transfercmd(cmd: str, rest: Any = None) -> Any:
        commands.append(cmd.split(" ", 1)[0] + ("+REST" if rest else ""))
        return real(cmd, rest)

    ftp.transfercmd = transfercmd  # type: ignore[method-assign]
    return commands


@pytest.mark.parametrize("size", SIZES)
def test_write_file_is_one_stor(store: FsspecJobStore, tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    local = tmp_path / "in.bin"
    local.write_bytes(data)
    job = new_job(store)
    commands = record_transfers(store)
    file_id = store.write_file(str(local), job.jobStoreID)
    assert commands == ["STOR"]
    with store.read_file_stream(file_id) as stream:
        assert stream.read() == data


@pytest.mark.parametrize("size", SIZES)
def test_a_write_stream_is_one_stor(store: FsspecJobStore, size: int) -> None:
    data = os.urandom(size)
    commands = record_transfers(store)
    with store.write_file_stream() as (stream, file_id):
        stream.write(data)
    assert commands == ["STOR"]
    with store.read_file_stream(file_id) as stream:
        assert stream.read() == data


def test_an_update_and_a_shared_file_are_one_stor_each(store: FsspecJobStore) -> None:
    file_id = store.get_empty_file_store_id()
    commands = record_transfers(store)
    with store.update_file_stream(file_id) as stream:
        stream.write(b"x" * 200_000)
    with store.write_shared_file_stream("notes.txt") as stream:
        stream.write(b"y" * 200_000)
    assert commands == ["STOR", "STOR"]
    with store.read_shared_file_stream("notes.txt") as stream:
        assert stream.read() == b"y" * 200_000
