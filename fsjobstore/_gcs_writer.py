"""Writing a GCS object from a stream: a resumable upload sent as it is written.

A stream that ends within one part is one upload request.  A longer one goes
through gcsfs's own file object with ``autocommit=False``: a resumable upload
session, each part sent in order (GCS takes a session's chunks one after the
other), and finalised only at commit, when the object appears.  A discarded or
failed stream cancels its session.  A process killed mid-stream leaves an
unfinished session, which stores no object and which GCS drops after a week.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from fsjobstore._sequential_writer import SequentialWriter

__all__ = ["GCSWriter"]


class GCSWriter(SequentialWriter):
    """A :class:`~fsjobstore._sequential_writer.SequentialWriter` onto the object
    *path* of *fs* (gcsfs): one part in flight (a session takes its chunks in order)."""

    thread_name = "fsjobstore-gcs"

    def __init__(self, fs: Any, path: str, *, part_size: int,
                 errors: AbstractContextManager[None]) -> None:
        super().__init__(part_size=part_size, errors=errors)
        self._fs = fs
        self._path = path

    def _put(self, data: bytes) -> None:
        self._fs.pipe_file(self._path, data)

    def _open(self) -> Any:
        # gcsfs sends a chunk each time its buffer reaches block_size: one part.
        # _open, not open: open() would also enlist the file in fs.transaction,
        # which would keep every such file for the life of the filesystem.
        return self._fs._open(self._path, "wb", autocommit=False,
                              block_size=self._first_part_size)

    def _finish(self, handle: Any) -> None:
        handle.close()  # with autocommit=False: sends whole chunks, does not finalise
        handle.commit()  # the final chunk, with the object's size: the object appears

    def _drop(self, handle: Any | None) -> None:
        if handle is not None:
            try:
                handle.discard()  # DELETE of the upload session
            finally:
                handle.closed = True  # never finalised by close(), even when collected
