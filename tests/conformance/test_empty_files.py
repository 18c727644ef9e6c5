"""Empty files read back empty, on every backend, without an error in the log.

The head of a file is read with one ranged GET; servers refuse a range on an
empty object (HTTP 416), which the store handles by reading it whole.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from fsjobstore._sdk_logs import CHATTY_LOGGERS, quiet_sdk_loggers
from fsjobstore.jobstore import FsspecJobStore


def test_an_empty_file_reads_back_empty_without_logged_errors(
    store: FsspecJobStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with store.write_file_stream() as (_stream, file_id):
        pass
    # As in a fresh process: Toil run in-process by an earlier test may have set the
    # SDKs' loggers to CRITICAL, and then no record could show a broken filter.
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    quiet_sdk_loggers()
    with caplog.at_level(logging.WARNING):
        with store.read_file_stream(file_id) as read:
            assert read.read() == b""
        local = tmp_path / "empty.txt"
        store.read_file(file_id, str(local))
        assert local.read_bytes() == b""
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
