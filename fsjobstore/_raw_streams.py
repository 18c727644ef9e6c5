"""Read-only raw streams that keep their own position (wrap them in BufferedReader)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any

__all__ = ["HeadThenRest", "PositionedReader"]


class PositionedReader(io.RawIOBase):
    """A seekable, read-only raw stream; subclasses say where the bytes come from."""

    def __init__(self) -> None:
        super().__init__()
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos}.get(whence)
        target = (self._size() if base is None else base) + offset
        if target < 0:
            raise ValueError(f"negative seek position {target}")
        if target != self._pos:
            self._moved(target)
        self._pos = target
        return target

    def readinto(self, buffer: Any) -> int:
        out = memoryview(buffer).cast("B")
        data = self._fetch(len(out)) if len(out) else b""
        out[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def _fetch(self, size: int) -> bytes | memoryview:
        """Up to *size* bytes from the current position (empty at the end)."""
        raise NotImplementedError

    def _size(self) -> int:
        """The stream's total size (for seeks from the end)."""
        raise NotImplementedError

    def _moved(self, target: int) -> None:
        """The position is about to jump to *target*."""


class HeadThenRest(PositionedReader):
    """A large object's stream: its first bytes (already read) then the rest.

    The rest is opened (``fs.open``) only when a read goes past the first bytes,
    and read from that offset on, so no byte is fetched twice.
    """

    def __init__(self, head: bytes, open_rest: Callable[[], IO[bytes]]) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._open_rest = open_rest
        self._rest: IO[bytes] | None = None

    def _fetch(self, size: int) -> bytes | memoryview:
        if self._pos < len(self._head):
            return self._head[self._pos : self._pos + size]
        rest = self._rest_handle()
        if rest.tell() != self._pos:
            rest.seek(self._pos)
        return rest.read(size)

    def _size(self) -> int:
        return self._rest_handle().seek(0, io.SEEK_END)

    def _rest_handle(self) -> IO[bytes]:
        if self._rest is None:
            self._rest = self._open_rest()
        return self._rest

    def close(self) -> None:
        if self._rest is not None:
            self._rest.close()
        self._head = memoryview(b"")
        super().close()
