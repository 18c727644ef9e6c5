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
from typing import Any

from fsspec.asyn import sync

from fsjobstore._raw_streams import PositionedReader

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


class S3ObjectStream(PositionedReader):
    """The remaining bytes of an open ``get_object`` response, as a raw stream."""

    def __init__(self, fs: Any, path: str, response: dict[str, Any]) -> None:
        super().__init__()
        self._fs = fs
        self._path = path
        self._body: Any = response["Body"]
        self._length = int(response["ContentLength"])
        self._etag = response.get("ETag")

    def _size(self) -> int:
        return self._length

    def _moved(self, target: int) -> None:
        self._drop_body()  # re-opened from the new position on the next read

    def _fetch(self, size: int) -> bytes:
        want = min(size, self._length - self._pos)
        return self._read(want) if want > 0 else b""

    def readall(self) -> bytes:
        # RawIOBase.readall reads 8 KiB at a time: one read for the rest instead.
        chunks = []
        while self._pos < self._length:
            data = self._read(self._length - self._pos)
            chunks.append(data)
            self._pos += len(data)
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
        raise OSError(f"{self._path}: the object ended at {self._pos} of {self._length} bytes")

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
