"""Writing an S3 object from a stream: no local spool, bounded memory, atomic.

A stream that ends within one part is stored with one PutObject.  A longer one
becomes a multipart upload whose parts are sent while the caller goes on
writing (a few at a time, so memory stays bounded); the object appears only
when CompleteMultipartUpload succeeds, so readers see the old version or the
new one.  A stream that is discarded, or whose upload fails, is aborted.  A
process killed mid-stream leaves an unfinished upload and no object; the store's
``destroy()`` and ``fsjobstore gc`` abort those.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["S3Writer"]

#: S3 allows 10,000 parts.  Every 1,000 parts the part size grows by the first
#: part size, so 8 MiB parts reach about 430 GiB before the limit.
_PARTS_PER_STEP = 1000
_MAX_PARTS = 10_000


class S3Writer(io.BufferedIOBase):
    """A write-only, non-seekable binary stream that becomes the S3 object *path*.

    Nothing is stored until :meth:`commit`; :meth:`discard` throws the stream
    away (either closes the stream).  *errors* is entered around every request
    the stream makes, to translate its failures.  At most *parallel* parts are in flight at once,
    each of *part_size* bytes (more past 1,000 parts).
    """

    def __init__(self, fs: Any, path: str, *, part_size: int, parallel: int,
                 errors: AbstractContextManager[None]) -> None:
        super().__init__()
        self._fs = fs
        self._bucket, self._key, _ = fs.split_path(path)
        self._first_part_size = part_size
        self._part_size = part_size
        self._parallel = parallel
        self._errors = errors
        self._buffer = bytearray()
        self._position = 0
        self._upload_id: str | None = None
        self._in_flight: dict[Future[dict[str, Any]], int] = {}
        self._etags: dict[int, str] = {}

    # -- the stream ------------------------------------------------------------

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def write(self, data: ReadableBuffer) -> int:
        if self.closed:
            raise ValueError("write to a closed stream")
        view = memoryview(data).cast("B")
        self._buffer += view
        self._position += len(view)
        # A part is sent only once a byte follows it, so the last part (which S3
        # lets be small) is the one commit sends, and it is never empty.
        while len(self._buffer) > self._part_size:
            with memoryview(self._buffer) as whole:
                part = bytes(whole[: self._part_size])  # one copy, not two
            del self._buffer[: self._part_size]  # O(1): bytearray drops its head in place
            self._send_part(part)
        return len(view)

    # -- the object ------------------------------------------------------------

    def commit(self) -> None:
        """Store what was written as the object (one PutObject, or the upload's end)."""
        self.close()  # closing alone stores nothing: a caller may close inside the block
        with self._errors:
            if self._upload_id is None:
                self._call("put_object", Body=bytes(self._buffer))
                self._buffer = bytearray()
                return
            try:
                self._send_part(bytes(self._buffer))
                self._buffer = bytearray()
                self._wait_until(0)
                parts = [{"PartNumber": n, "ETag": e} for n, e in sorted(self._etags.items())]
                self._call("complete_multipart_upload", UploadId=self._upload_id,
                           MultipartUpload={"Parts": parts})
            except BaseException:
                # The failure is what the caller must see; an upload left behind
                # is aborted by destroy() or `fsjobstore gc`.
                with contextlib.suppress(Exception):
                    self._abort()
                raise

    def discard(self) -> None:
        """Store nothing: abort the upload, if one was started.  Never raises."""
        self.close()
        self._buffer = bytearray()
        with contextlib.suppress(Exception):
            self._abort()

    # -- parts -----------------------------------------------------------------

    def _send_part(self, data: bytes) -> None:
        with self._errors:
            if self._upload_id is None:
                created = self._call("create_multipart_upload")
                self._upload_id = str(created["UploadId"])
            self._wait_until(self._parallel - 1)
            number = len(self._etags) + len(self._in_flight) + 1
            if number > _MAX_PARTS:
                raise OSError(f"stream too long: more than {_MAX_PARTS} parts")
            coroutine = self._fs._call_s3(
                "upload_part", Bucket=self._bucket, Key=self._key,
                UploadId=self._upload_id, PartNumber=number, Body=data,
            )
            future = asyncio.run_coroutine_threadsafe(coroutine, self._fs.loop)
            self._in_flight[future] = number
        if number % _PARTS_PER_STEP == 0:
            self._part_size += self._first_part_size

    def _wait_until(self, most: int) -> None:
        """Wait until at most *most* parts are in flight; raise the first failure."""
        while len(self._in_flight) > most:
            done, _ = wait(self._in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                number = self._in_flight.pop(future)
                self._etags[number] = str(future.result()["ETag"])

    def _abort(self) -> None:
        for future in self._in_flight:
            future.cancel()
        wait(self._in_flight)
        self._in_flight.clear()
        upload_id, self._upload_id = self._upload_id, None
        if upload_id is not None:
            self._call("abort_multipart_upload", UploadId=upload_id)

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        return dict(self._fs.call_s3(method, Bucket=self._bucket, Key=self._key, **kwargs))
