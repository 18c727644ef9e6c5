"""Part of the Toil adapter: the context manager ``read_file_stream`` returns."""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING, Any

from toil.jobStores.abstractJobStore import NoSuchFileException

from fsjobstore._piped_stream import with_descriptor
from fsjobstore._redact import redacting_logger
from fsjobstore.errors import ObjectNotFoundError

if TYPE_CHECKING:
    from fsjobstore.storage import Storage

__all__ = ["Reading"]

logger = redacting_logger(__name__)


class Reading:
    """``with``: opens *key* on entry (a missing file raises NoSuchFileException
    there, as Toil's own tests expect) and closes it on exit.

    A class rather than a generator context manager: a small read is a few tens
    of microseconds locally, and the generator machinery was a tenth of that.
    """

    __slots__ = ("_encoding", "_errors", "_key", "_name", "_storage", "_stream")

    def __init__(
        self, storage: Storage, key: str, name: str, encoding: str | None, errors: str | None
    ) -> None:
        self._storage = storage
        self._key = key
        self._name = name
        self._encoding = encoding
        self._errors = errors
        self._stream: IO[Any] | None = None

    def __enter__(self) -> IO[Any]:
        try:
            # A descriptor, as Toil's own stores' streams have (for a subprocess).
            stream: IO[Any] = with_descriptor(self._storage.open_read(self._key))
        except ObjectNotFoundError:
            raise NoSuchFileException(self._name) from None
        if self._encoding is not None:
            try:
                stream = io.TextIOWrapper(stream, encoding=self._encoding,
                                          errors=self._errors or "strict")
            except BaseException:  # an unknown encoding, say: close what was opened
                stream.close()
                raise
        self._stream = stream
        return stream

    def __exit__(self, kind: object, error: object, tb: object) -> None:
        if self._stream is None:
            return
        if error is None:
            self._stream.close()
            return
        try:
            self._stream.close()
        except Exception:  # the block's own error is the one to see
            logger.warning("closing %s after an error in its block failed too", self._name,
                           exc_info=True)
