"""A :class:`~fsjobstore._part_writer.PartWriter` whose upload is one file object.

Some uploads take their parts strictly in order through a file object of the
backend's (a GCS resumable session, an SFTP file being appended): one part is in
flight at a time, written by a thread of the writer's own while the caller
writes the next.  Subclasses say how the file is opened, finished and dropped.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, ClassVar

from fsjobstore._part_writer import PartWriter

__all__ = ["SequentialWriter"]


class SequentialWriter(PartWriter):
    """Parts written in order to one file object, from one thread of the writer's own."""

    #: The name of the writer's thread, as seen in a stack dump.
    thread_name: ClassVar[str] = "fsjobstore-writer"

    def __init__(self, *, part_size: int, errors: AbstractContextManager[None]) -> None:
        super().__init__(part_size=part_size, parallel=1, errors=errors)
        self._file: Any = None
        # No thread starts until the first part is submitted.
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self.thread_name)

    def _start(self) -> None:
        self._file = self._open()

    def _submit(self, number: int, data: bytes) -> Future[str]:
        return self._sender.submit(self._send, data)

    def _send(self, data: bytes) -> str:
        self._file.write(data)
        return ""

    def _complete(self, last: bytes, number: int, parts: list[str]) -> None:
        self._sender.shutdown(wait=True)  # idle: every part was waited for
        self._file.write(last)
        self._finish(self._file)

    def _abort(self) -> None:
        self._sender.shutdown(wait=True)  # idempotent
        handle, self._file = self._file, None
        self._drop(handle)

    # -- what each backend does --------------------------------------------------

    def _open(self) -> Any:
        """The file object the parts are written to, in order."""
        raise NotImplementedError

    def _finish(self, handle: Any) -> None:
        """Make the object of everything written to *handle* (the last part included)."""
        raise NotImplementedError

    def _drop(self, handle: Any | None) -> None:
        """Give up *handle* (None if it was never opened) so that it stores nothing."""
        raise NotImplementedError
