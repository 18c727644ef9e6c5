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

__all__ = ["CHATTY_LOGGERS", "GcsfsErrorFilter", "quiet_sdk_loggers"]

#: Loggers of the SDKs under fsspec's backends that log routine traffic at INFO,
#: and of fsspec's backends that log every call at DEBUG (``toil debug-job``
#: runs at DEBUG).
CHATTY_LOGGERS = ("azure", "asyncssh", "aiobotocore", "botocore", "urllib3",
                  "httpx", "httpcore", "s3fs", "gcsfs", "adlfs", "sshfs")


class GcsfsErrorFilter(logging.Filter):
    """gcsfs's ERROR records, without their tracebacks; a refused range, not at all.

    gcsfs logs every request that failed for good with its whole traceback
    (``logger.exception``) and then raises; fsjobstore reports that error on
    one line, so the traceback only buried it (three tracebacks, 155 lines,
    before a store on an unreachable server was reported).  The message stays.
    And fsjobstore reads the head of a file with one ranged GET and, when the
    server refuses the range (HTTP 416: the object is empty), reads it whole:
    that refusal is expected and handled.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if getattr(exc, "code", None) in (416, "416"):
            return False
        record.exc_info = None
        record.exc_text = None
        return True


_GCSFS_FILTER = GcsfsErrorFilter()


def quiet_sdk_loggers() -> None:
    """Set each of :data:`CHATTY_LOGGERS` to WARNING, unless a level was chosen for it,
    and keep gcsfs's tracebacks and handled range refusals out of the log."""
    for name in CHATTY_LOGGERS:
        sdk_logger = logging.getLogger(name)
        if sdk_logger.level == logging.NOTSET:
            sdk_logger.setLevel(logging.WARNING)
    gcsfs_logger = logging.getLogger("gcsfs")
    if _GCSFS_FILTER not in gcsfs_logger.filters:
        gcsfs_logger.addFilter(_GCSFS_FILTER)
