"""A large object's read stream over one version: its first bytes, then ranges.

The first bytes come from the request that opened the stream; the rest from
ranged requests pinned to that request's version (:mod:`fsjobstore._pinned_reads`).
Each range is at least a block long, so that small reads do not cost a request
each, and the stream holds one range at a time besides the first bytes.  A read
of everything left is one range.
"""

from __future__ import annotations

from collections.abc import Callable

from fsjobstore._raw_streams import PositionedReader

__all__ = ["PinnedStream", "RangeReader"]

#: Bytes ``[start, end)`` of the version a stream reads; raises if it is gone.
RangeReader = Callable[[int, int], bytes]


class PinnedStream(PositionedReader):
    """The *size* bytes of one version of an object, *head* its first ones.

    *read_range* serves the bytes past *head*, at least *block* of them a request.
    """

    def __init__(self, head: bytes, size: int, read_range: RangeReader, *, block: int) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._length = size
        self._read_range = read_range
        self._block = block
        self._window = memoryview(b"")  # the last range read, from _window_start
        self._window_start = 0

    def _size(self) -> int:
        return self._length

    def _fetch(self, size: int) -> bytes | memoryview:
        if self._pos >= self._length:
            return b""
        held = self._held()
        if not held:
            end = min(self._length, self._pos + max(size, self._block))
            self._window, self._window_start = memoryview(self._range(end)), self._pos
            held = self._window
        return held[:size]

    def readall(self) -> bytes:
        # RawIOBase.readall reads 8 KiB at a time: what is held, then one range.
        if self._pos >= self._length:
            return b""
        held = bytes(self._held())
        self._pos += len(held)
        if self._pos >= self._length:
            return held
        rest = self._range(self._length)
        self._pos = self._length
        return held + rest if held else rest

    def _held(self) -> memoryview:
        """The bytes from the position on that the stream holds (no request)."""
        if self._pos < len(self._head):
            return self._head[self._pos :]
        offset = self._pos - self._window_start
        return self._window[offset:] if 0 <= offset < len(self._window) else memoryview(b"")

    def _range(self, end: int) -> bytes:
        """Bytes from the position to *end*, all of them (the version's size is known)."""
        data = self._read_range(self._pos, end)
        if len(data) != end - self._pos:
            raise OSError(
                f"asked for bytes {self._pos}-{end - 1} of a {self._length}-byte object, "
                f"got {len(data)}"
            )
        return data

    def close(self) -> None:
        self._head = self._window = memoryview(b"")
        super().close()
