"""Keep the storage SDKs' chatter out of Toil's logs.

Toil sets every third-party logger it can see to CRITICAL when it configures
logging (``toil.statsAndLogging.suppress_exotic_logging``), but fsspec imports
a backend's SDK only when a store is opened, after that.  At Toil's default
level (INFO) the Azure SDK then logs every HTTP request and response, headers
and all (about twenty lines a request: thousands for a small workflow), and
asyncssh every SFTP connection.  Their warnings and errors still show.
"""

from __future__ import annotations

import logging

__all__ = ["CHATTY_LOGGERS", "RangeRefusalFilter", "quiet_sdk_loggers"]

#: Loggers of the SDKs under fsspec's backends that log routine traffic at INFO,
#: and of fsspec's backends that log every call at DEBUG (``toil debug-job``
#: runs at DEBUG).
CHATTY_LOGGERS = ("azure", "asyncssh", "aiobotocore", "botocore", "urllib3",
                  "s3fs", "gcsfs", "adlfs", "sshfs")


class RangeRefusalFilter(logging.Filter):
    """Drop gcsfs's ERROR traceback for an HTTP 416 (range not satisfiable).

    fsjobstore reads the head of a file with one ranged GET and, when the
    server refuses the range (the object is empty), reads it whole: the 416 is
    expected and handled, but gcsfs logs every non-retriable error with its
    traceback before raising it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return getattr(exc, "code", None) not in (416, "416")


_RANGE_FILTER = RangeRefusalFilter()


def quiet_sdk_loggers() -> None:
    """Set each of :data:`CHATTY_LOGGERS` to WARNING, unless a level was chosen for it,
    and keep gcsfs's handled range refusals out of the log."""
    for name in CHATTY_LOGGERS:
        sdk_logger = logging.getLogger(name)
        if sdk_logger.level == logging.NOTSET:
            sdk_logger.setLevel(logging.WARNING)
    gcsfs_logger = logging.getLogger("gcsfs")
    if _RANGE_FILTER not in gcsfs_logger.filters:
        gcsfs_logger.addFilter(_RANGE_FILTER)
