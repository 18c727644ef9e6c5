"""Streams on a backend without a part writer (FTP) pass through a local
temporary file that has no name: a process killed mid-stream leaves nothing
in the temporary directory (where no ``gc`` would find it)."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import pytest

from fsjobstore.jobstore import FsspecJobStore

pytestmark = [
    pytest.mark.parametrize("backend", ["ftp"], indirect=True),
    pytest.mark.skipif(not os.path.isdir("/proc/self/fd"),
                       reason="elsewhere than Linux the write spool is named, and removed"),
]

DATA = os.urandom(3 * 1024 * 1024 + 5)


@pytest.fixture
def spool_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    spools = tmp_path / "spools"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    return spools


def test_a_write_stream_leaves_no_named_file(store: FsspecJobStore, spool_dir: Path) -> None:
    with store.write_file_stream() as (stream, file_id):
        stream.write(DATA)
        assert list(spool_dir.iterdir()) == []  # nothing a SIGKILL here would leave
    with store.read_file_stream(file_id) as stored:
        assert list(spool_dir.iterdir()) == []
        assert stored.read() == DATA
        with pytest.raises(io.UnsupportedOperation):  # read-only, as a read stream is
            stored.write(b"x")
    assert list(spool_dir.iterdir()) == []


def test_a_stream_closed_inside_its_block_is_stored(store: FsspecJobStore) -> None:
    with store.write_shared_file_stream("closed-early") as stream:
        stream.write(DATA)
        stream.close()  # as code that wraps the stream and closes its wrapper may
    with store.read_shared_file_stream("closed-early") as stored:
        assert stored.read() == DATA


def test_a_transfer_failing_once_is_read_again_on_a_new_connection(
        store: FsspecJobStore) -> None:
    import ftplib

    with store.write_file_stream() as (stream, file_id):
        stream.write(DATA)
    ftp = store.storage.fs.ftp
    real_transfercmd = ftp.transfercmd
    failed: list[str] = []

    def fail_once(cmd: str, rest: object = None) -> object:
        if not failed:
            failed.append(cmd)
            raise ftplib.error_temp("425 Can't open data connection (injected)")
        return real_transfercmd(cmd, rest)

    ftp.transfercmd = fail_once
    with store.read_file_stream(file_id) as stored:
        assert stored.read() == DATA
    assert failed and store.storage.fs.ftp is not ftp  # a new control connection
