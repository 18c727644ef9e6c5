"""The storage SDKs' loggers are turned down to WARNING, unless someone chose a level."""

from __future__ import annotations

import logging

import pytest

from fsjobstore._sdk_logs import CHATTY_LOGGERS, quiet_sdk_loggers


def test_unset_loggers_go_to_warning_and_chosen_levels_stay() -> None:
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    logging.getLogger("azure").setLevel(logging.DEBUG)  # a user who wants the HTTP log
    quiet_sdk_loggers()
    assert logging.getLogger("azure").level == logging.DEBUG
    for name in CHATTY_LOGGERS[1:]:
        assert logging.getLogger(name).level == logging.WARNING
    # A child logger (the Azure SDK's HTTP policy) inherits from its package.
    http = logging.getLogger("asyncssh.sftp")
    assert http.getEffectiveLevel() == logging.WARNING


def test_gcsfs_errors_are_logged_on_one_line(caplog: pytest.LogCaptureFixture) -> None:
    gcsfs_logger = logging.getLogger("gcsfs")
    # Toil's logging set-up (run in-process by other tests on this worker) sets every
    # loaded package's logger to CRITICAL; start from an unset level as a fresh process does.
    gcsfs_logger.setLevel(logging.NOTSET)
    quiet_sdk_loggers()

    class HttpError(OSError):
        def __init__(self, message: str, code: int) -> None:
            super().__init__(message)
            self.code = code

    for error in (OSError("Cannot connect to host 127.0.0.1:1"), HttpError("refused", 416)):
        try:
            raise error
        except OSError as exc:  # as gcsfs's retry wrapper logs it
            gcsfs_logger.exception(f"_request out of retries on exception: {exc}")
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", "_request out of retries on exception: Cannot connect to host 127.0.0.1:1")]
    assert "Traceback" not in caplog.text
