"""Keep fsjobstore's own log records at the level Toil was given.

Toil's ``set_log_level`` ends with ``suppress_exotic_logging``, which sets
every third-party logger that exists by then to CRITICAL.  A Toil worker sets
its level after it has opened the job store, so fsjobstore's loggers existed
and its warnings vanished from worker logs (an unreadable job manifest
skipped, a read stream whose copy failed, uploads left to the bucket's
lifecycle rules), as they did in a leader that entered ``Toil`` twice.
Toil's own job stores log under ``toil.``, which Toil never suppresses; the
patch below treats fsjobstore's loggers the same way.  The storage SDKs'
loggers are still Toil's to suppress (see :mod:`fsjobstore._sdk_logs`).
"""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["OWN_LOGGERS", "keep_own_loggers"]

#: The top-level loggers of fsjobstore and its Toil URL plugin.
OWN_LOGGERS = ("fsjobstore", "toil_url_access_fsspec")
_MARK = "_fsjobstore_keeps_own_loggers"


def keep_own_loggers(stats_and_logging: Any) -> None:
    """Wrap ``toil.statsAndLogging.suppress_exotic_logging`` so that it leaves the
    levels of :data:`OWN_LOGGERS` as they were; idempotent.

    ``set_log_level`` looks the function up in its module at call time, so
    replacing the module attribute is enough.
    """
    original: Any = getattr(stats_and_logging, "suppress_exotic_logging", None)
    if original is None or getattr(original, _MARK, False):
        return

    def suppress_exotic_logging(local_logger: str) -> None:
        levels = {name: logging.getLogger(name).level for name in OWN_LOGGERS}
        original(local_logger)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)

    suppress_exotic_logging.__doc__ = original.__doc__
    suppress_exotic_logging.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(suppress_exotic_logging, _MARK, True)
    stats_and_logging.suppress_exotic_logging = suppress_exotic_logging
