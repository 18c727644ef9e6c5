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
from contextlib import AbstractContextManager
from typing import Any

from fsjobstore import _sftp_link
from fsjobstore._sequential_writer import SequentialWriter

__all__ = ["RenameWriter", "atomic_move"]


def atomic_move(fs: Any, source: str, target: str) -> None:
    """``fs.mv(source, target)`` on a backend whose rename replaces atomically;
    on SFTP only as a POSIX rename (see :mod:`fsjobstore._sftp_link`)."""
    if _sftp_link.is_sftp(fs):
        _sftp_link.rename(fs, source, target)
    else:
        fs.mv(source, target)


class RenameWriter(SequentialWriter):
    """A :class:`~fsjobstore._sequential_writer.SequentialWriter` onto *path* of *fs*
    via *temp*.

    *put* stores a stream that fits in one part; *make_dirs* creates the
    temporary sibling's directory.
    """

    thread_name = "fsjobstore-rename"

    def __init__(self, fs: Any, path: str, temp: str, *, part_size: int,
                 errors: AbstractContextManager[None], put: Callable[[bytes], None],
                 make_dirs: Callable[[str], None]) -> None:
        super().__init__(part_size=part_size, errors=errors)
        self._fs = fs
        self._path = path
        self._temp = temp
        self._put_whole = put
        self._make_dirs = make_dirs

    def _put(self, data: bytes) -> None:
        self._put_whole(data)

    def _open(self) -> Any:
        self._make_dirs(self._fs._parent(self._temp))
        return self._fs.open(self._temp, "wb")

    def _finish(self, handle: Any) -> None:
        handle.close()
        atomic_move(self._fs, self._temp, self._path)

    def _drop(self, handle: Any | None) -> None:
        if handle is not None:
            with contextlib.suppress(Exception):
                handle.close()
        with contextlib.suppress(FileNotFoundError):
            self._fs.rm_file(self._temp)
