"""Writing a GCS object from a stream: a resumable upload sent as it is written.

A stream that ends within one part is one upload request.  A longer one goes
through gcsfs's own file object with ``autocommit=False``: a resumable upload
session, each part sent in order (GCS takes a session's chunks one after the
other), and finalised only at commit, when the object appears.  A discarded or
failed stream cancels its session.  A process killed mid-stream leaves an
unfinished session, which stores no object and which GCS drops after a week.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from fsjobstore._part_writer import PartWriter

__all__ = ["GCSWriter"]


class GCSWriter(PartWriter):
    """A :class:`~fsjobstore._part_writer.PartWriter` onto the object *path* of *fs* (gcsfs).

    One part is in flight at a time (a session takes its chunks in order), sent
    by a thread of the writer's own while the caller writes the next.
    """

    def __init__(self, fs: Any, path: str, *, part_size: int,
                 errors: AbstractContextManager[None]) -> None:
        super().__init__(part_size=part_size, parallel=1, errors=errors)
        self._fs = fs
        self._path = path
        self._file: Any = None
        # No thread starts until the first part is submitted.
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsjobstore-gcs")

    def _put(self, data: bytes) -> None:
        self._fs.pipe_file(self._path, data)

    def _start(self) -> None:
        # gcsfs sends a chunk each time its buffer reaches block_size: one part.
        # _open, not open: open() would also enlist the file in fs.transaction,
        # which would keep every such file for the life of the filesystem.
        self._file = self._fs._open(self._path, "wb", autocommit=False,
                                    block_size=self._first_part_size)

    def _submit(self, number: int, data: bytes) -> Future[str]:
        return self._sender.submit(self._send, data)

    def _send(self, data: bytes) -> str:
        self._file.write(data)  # reaches block_size: gcsfs sends the chunk, and waits
        return ""

    def _stop_sender(self) -> None:
        self._sender.shutdown(wait=True)  # idempotent

    def _complete(self, last: bytes, number: int, parts: list[str]) -> None:
        self._stop_sender()  # idle: every part was waited for
        self._file.write(last)
        self._file.close()  # with autocommit=False: sends whole chunks, does not finalise
        self._file.commit()  # the final chunk, with the object's size: the object appears

    def _abort(self) -> None:
        self._stop_sender()
        handle, self._file = self._file, None
        if handle is not None:
            try:
                handle.discard()  # DELETE of the upload session
            finally:
                handle.closed = True  # never finalised by close(), even when collected
