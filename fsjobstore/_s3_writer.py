"""Writing an S3 object from a stream: a multipart upload sent as it is written.

A stream that ends within one part is one PutObject.  A longer one is a
multipart upload, a few parts in flight at once; the object appears when
CompleteMultipartUpload succeeds.  A discarded or failed stream aborts its
upload.  A process killed mid-stream leaves an unfinished upload and no object;
the store's ``destroy()`` and ``fsjobstore gc`` abort those.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any

from fsjobstore._part_writer import PartWriter

__all__ = ["S3Writer"]


class S3Writer(PartWriter):
    """A :class:`~fsjobstore._part_writer.PartWriter` onto the S3 object *path* of *fs* (s3fs)."""

    max_parts = 10_000  # S3's limit

    def __init__(self, fs: Any, path: str, *, part_size: int, parallel: int,
                 errors: AbstractContextManager[None]) -> None:
        super().__init__(part_size=part_size, parallel=parallel, errors=errors)
        self._fs = fs
        self._bucket, self._key, _ = fs.split_path(path)
        self._upload_id = ""

    def _put(self, data: bytes) -> None:
        self._call("put_object", Body=data)

    def _start(self) -> None:
        self._upload_id = str(self._call("create_multipart_upload")["UploadId"])

    def _submit(self, number: int, data: bytes) -> Future[str]:
        return asyncio.run_coroutine_threadsafe(self._upload_part(number, data), self._fs.loop)

    async def _upload_part(self, number: int, data: bytes) -> str:
        answer = await self._fs._call_s3(
            "upload_part", Bucket=self._bucket, Key=self._key,
            UploadId=self._upload_id, PartNumber=number, Body=data,
        )
        return str(answer["ETag"])

    def _complete(self, last: bytes, number: int, parts: list[str]) -> None:
        parts = [*parts, self._submit(number, last).result()]
        numbered = [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(parts, 1)]
        self._call("complete_multipart_upload", UploadId=self._upload_id,
                   MultipartUpload={"Parts": numbered})

    def _abort(self) -> None:
        self._call("abort_multipart_upload", UploadId=self._upload_id)

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        return dict(self._fs.call_s3(method, Bucket=self._bucket, Key=self._key, **kwargs))
