"""Every test starts from the logging state the one before it found.

Toil changes logging process-wide when it runs in-process (the registration
tests, Toil's own suites): ``set_log_level`` sets the root level and every
third-party logger it can see to CRITICAL, and its test classes add handlers
to the root logger.  Left alone, a later test on the same xdist worker would
miss the records it asserts on, or pass without the records it must not see,
depending on which tests ran before it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

_Settings = tuple[int, bool, bool]


def _loggers() -> dict[str, logging.Logger]:
    # A copy first: a thread an earlier test left running may create a logger meanwhile.
    return {name: item for name, item in list(logging.root.manager.loggerDict.items())
            if isinstance(item, logging.Logger)}


def _settings(logger: logging.Logger) -> _Settings:
    return logger.level, logger.propagate, logger.disabled


def _is_pytests(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    root_level, root_handlers = root.level, list(root.handlers)
    saved = {name: _settings(logger) for name, logger in _loggers().items()}
    yield
    root.setLevel(root_level)
    for handler in list(root.handlers):
        if handler not in root_handlers and not _is_pytests(handler):
            root.removeHandler(handler)
            handler.close()
    for name, logger in _loggers().items():
        level, propagate, disabled = saved.get(name, (logging.NOTSET, True, False))
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled
