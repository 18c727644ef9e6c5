"""The storage SDKs' loggers are turned down to WARNING, unless someone chose a level."""

from __future__ import annotations

import logging

import pytest

from fsjobstore._sdk_logs import CHATTY_LOGGERS, quiet_sdk_loggers


@pytest.fixture(autouse=True)
def _restore_levels() -> object:
    saved = {name: logging.getLogger(name).level for name in CHATTY_LOGGERS}
    yield None
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


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
