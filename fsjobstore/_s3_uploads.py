"""Unfinished S3 multipart uploads below a prefix: listed page by page, aborted together.

A multipart upload that never completes (a worker killed in the middle of a
large write, say) is invisible to readers, but S3 keeps its parts, and bills
for them, until it is aborted.  ``fsjobstore gc`` aborts the old ones and a
store's ``destroy()`` aborts every one under the store's own prefixes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fsspec.asyn import sync

from fsjobstore._s3_bulk import bucket_prefix, raise_first

__all__ = ["IN_FLIGHT", "Upload", "abort_uploads", "last_activity", "list_uploads"]

#: AbortMultipartUpload requests in flight at once.
IN_FLIGHT = 10


@dataclass(frozen=True)
class Upload:
    """One unfinished multipart upload: its *key* below the root, its ID, when it began."""

    key: str
    upload_id: str
    initiated: datetime | None


def list_uploads(fs: Any, root: str) -> list[Upload]:
    """Every unfinished multipart upload below the S3 path *root* (1,000 a request)."""
    bucket, prefix = bucket_prefix(fs, root)
    page_marks: dict[str, str] = {}
    found: list[Upload] = []
    while True:
        page = fs.call_s3("list_multipart_uploads", Bucket=bucket, Prefix=prefix, **page_marks)
        for upload in page.get("Uploads") or []:
            initiated = upload.get("Initiated")
            found.append(Upload(str(upload["Key"])[len(prefix):], str(upload["UploadId"]),
                                initiated if isinstance(initiated, datetime) else None))
        if not page.get("IsTruncated"):
            return found
        page_marks = {"KeyMarker": page["NextKeyMarker"],
                      "UploadIdMarker": page["NextUploadIdMarker"]}


def last_activity(fs: Any, root: str, upload: Upload) -> datetime | None:
    """When *upload* (below the S3 path *root*) last received a part, else when it
    began; None if it is gone (completed or aborted).  One ListParts a 1,000 parts.

    A large stream still being written began long ago but sent a part lately:
    its age is that of its latest part.
    """
    bucket, prefix = bucket_prefix(fs, root)
    latest = upload.initiated
    page_mark: dict[str, int] = {}
    while True:
        try:
            page = fs.call_s3("list_parts", Bucket=bucket, Key=prefix + upload.key,
                              UploadId=upload.upload_id, **page_mark)
        except FileNotFoundError:  # NoSuchUpload
            return None
        for part in page.get("Parts") or []:
            when = part.get("LastModified")
            if isinstance(when, datetime) and (latest is None or when > latest):
                latest = when
        if not page.get("IsTruncated"):
            return latest
        page_mark = {"PartNumberMarker": int(page["NextPartNumberMarker"])}


def abort_uploads(fs: Any, root: str, uploads: Sequence[Upload]) -> None:
    """Abort *uploads* (below the S3 path *root*), a few at a time.

    An upload already gone (completed or aborted since it was listed) is not an
    error; the first other failure raises once every started abort has ended.
    """
    if uploads:
        bucket, prefix = bucket_prefix(fs, root)
        sync(fs.loop, _abort_all, fs, bucket, [(prefix + u.key, u.upload_id) for u in uploads])


async def _abort_all(fs: Any, bucket: str, uploads: list[tuple[str, str]]) -> None:
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(key: str, upload_id: str) -> None:
        async with gate:
            with contextlib.suppress(FileNotFoundError):  # NoSuchUpload
                await fs._call_s3("abort_multipart_upload", Bucket=bucket, Key=key,
                                  UploadId=upload_id)

    raise_first(await asyncio.gather(*(one(k, u) for k, u in uploads), return_exceptions=True))
