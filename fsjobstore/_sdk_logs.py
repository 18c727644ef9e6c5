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

__all__ = ["CHATTY_LOGGERS", "quiet_sdk_loggers"]

#: Loggers of the SDKs under fsspec's backends that log routine traffic at INFO.
CHATTY_LOGGERS = ("azure", "asyncssh", "aiobotocore", "botocore", "urllib3")


def quiet_sdk_loggers() -> None:
    """Set each of :data:`CHATTY_LOGGERS` to WARNING, unless a level was chosen for it."""
    for name in CHATTY_LOGGERS:
        sdk_logger = logging.getLogger(name)
        if sdk_logger.level == logging.NOTSET:
            sdk_logger.setLevel(logging.WARNING)
