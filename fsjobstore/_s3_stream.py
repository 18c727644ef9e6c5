"""Reading an S3 object as a stream from one GET, whatever its size.

``fs.open`` on s3fs costs a HEAD and then ranged GETs; a ranged first GET (the
small-object fast path) followed by ``fs.open`` costs three.  Here one GET
without a range serves the whole object: small objects are read at once, large
ones are streamed from the same response in the caller's pieces (bounded
memory).  A broken connection or a seek re-opens the object from the position
reached, pinned to the first response's ETag, so a stream never mixes two
versions of an object.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from fsspec.asyn import sync

__all__ = ["S3ObjectStream", "get_object"]

_RETRIES = 5


def get_object(fs: Any, path: str, **kwargs: Any) -> dict[str, Any]:
    """s3fs's ``get_object`` response for *path* (its body not read yet)."""
    bucket, key, _ = fs.split_path(path)
    return dict(fs.call_s3("get_object", Bucket=bucket, Key=key, **kwargs))


def read_body(fs: Any, body: Any, size: int = -1) -> bytes:
    """Up to *size* bytes (all with -1) of a response body, read on s3fs's loop."""
    return bytes(sync(fs.loop, body.read, size) if size >= 0 else sync(fs.loop, body.read))


def close_body(fs: Any, body: Any) -> None:
    async def _close() -> None:
        body.close()

    sync(fs.loop, _close)


class S3ObjectStream(io.RawIOBase):
    """The remaining bytes of an open ``get_object`` response, as a raw stream."""

    def __init__(self, fs: Any, path: str, response: dict[str, Any]) -> None:
        super().__init__()
        self._fs = fs
        self._path = path
        self._body: Any = response["Body"]
        self._size = int(response["ContentLength"])
        self._etag = response.get("ETag")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        target = base + offset
        if target < 0:
            raise ValueError(f"negative seek position {target}")
        if target != self._pos:
            self._drop_body()  # re-opened from the new position on the next read
            self._pos = target
        return target

    def readinto(self, buffer: Any) -> int:
        out = memoryview(buffer).cast("B")
        want = min(len(out), self._size - self._pos)
        if want <= 0:
            return 0
        data = self._read(want)
        out[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def readall(self) -> bytes:
        # RawIOBase.readall reads 8 KiB at a time: one read for the rest instead.
        if self._pos >= self._size:
            return b""
        data = self._read(self._size - self._pos)
        chunks = [data]
        self._pos += len(data)
        while self._pos < self._size:
            more = self._read(self._size - self._pos)
            chunks.append(more)
            self._pos += len(more)
        return b"".join(chunks)

    def _read(self, size: int) -> bytes:
        for attempt in range(_RETRIES + 1):
            try:
                if self._body is None:
                    self._reopen()
                data = read_body(self._fs, self._body, size)
            except FileNotFoundError:
                raise
            except Exception:
                self._drop_body()
                if attempt == _RETRIES:
                    raise
                continue
            if data:
                return data
            self._drop_body()  # an early end of the body: read on from here
        raise OSError(f"{self._path}: the object ended at {self._pos} of {self._size} bytes")

    def _reopen(self) -> None:
        pinned = {"IfMatch": self._etag} if self._etag else {}
        response = get_object(self._fs, self._path, Range=f"bytes={self._pos}-", **pinned)
        self._body = response["Body"]

    def _drop_body(self) -> None:
        if self._body is not None:
            body, self._body = self._body, None
            with contextlib.suppress(Exception):  # a broken connection is abandoned
                close_body(self._fs, body)

    def close(self) -> None:
        self._drop_body()
        super().close()
