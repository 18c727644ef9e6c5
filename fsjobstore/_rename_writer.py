"""Writing a file from a stream on a remote POSIX-like backend (SFTP): no local spool.

A stream that ends within one part is one write of a temporary sibling and a
rename, as any small write there.  A longer one is appended to a temporary
sibling as it is written (each part sent by the writer's own thread while the
caller writes the next), and renamed onto the target only at commit: readers
see the old file or the new one.  A discarded or failed stream removes its
temporary sibling.  A process killed mid-stream leaves that sibling behind,
which ``fsjobstore verify`` reports and ``fsjobstore gc`` removes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from fsjobstore._part_writer import PartWriter

__all__ = ["RenameWriter"]


class RenameWriter(PartWriter):
    """A :class:`~fsjobstore._part_writer.PartWriter` onto *path* of *fs* via *temp*.

    *put* stores a stream that fits in one part; *make_dirs* creates the
    temporary sibling's directory.  One part is in flight at a time (a file is
    appended in order).
    """

    def __init__(self, fs: Any, path: str, temp: str, *, part_size: int,
                 errors: AbstractContextManager[None], put: Callable[[bytes], None],
                 make_dirs: Callable[[str], None]) -> None:
        super().__init__(part_size=part_size, parallel=1, errors=errors)
        self._fs = fs
        self._path = path
        self._temp = temp
        self._put_whole = put
        self._make_dirs = make_dirs
        self._file: Any = None
        # No thread starts until the first part is submitted.
        self._sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fsjobstore-rename")

    def _put(self, data: bytes) -> None:
        self._put_whole(data)

    def _start(self) -> None:
        self._make_dirs(self._fs._parent(self._temp))
        self._file = self._fs.open(self._temp, "wb")

    def _submit(self, number: int, data: bytes) -> Future[str]:
        return self._sender.submit(self._send, data)

    def _send(self, data: bytes) -> str:
        self._file.write(data)
        return ""

    def _complete(self, last: bytes, number: int, parts: list[str]) -> None:
        self._sender.shutdown(wait=True)  # idle: every part was waited for
        self._file.write(last)
        self._file.close()
        self._fs.mv(self._temp, self._path)

    def _abort(self) -> None:
        self._sender.shutdown(wait=True)
        handle, self._file = self._file, None
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.close()
        with contextlib.suppress(FileNotFoundError):
            self._fs.rm_file(self._temp)
