"""Bulk deletes on S3: DeleteObjects that report failures, and delete-while-listing.

s3fs's ``rm`` of many keys sends quiet DeleteObjects requests and drops the
per-key errors they return, so a key it could not delete goes unnoticed.  Here
every failure raises, naming the keys.  :func:`delete_listed` deletes what a
prefix listing finds as it finds it: each page's DeleteObjects starts while the
next page is listed, so a delete-all costs about the longer of the listing and
the deletes, not their sum.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from fsspec.asyn import sync

__all__ = [
    "BATCH", "IN_FLIGHT", "bucket_prefix", "check_deleted", "delete_listed", "delete_paths",
    "raise_first",
]

#: Keys per DeleteObjects request (the S3 maximum), and per listing page.
BATCH = 1000
#: DeleteObjects requests in flight at once (s3fs's ``rm`` uses the same).
IN_FLIGHT = 3


def check_deleted(bucket: str, response: dict[str, Any]) -> None:
    """Raise :class:`PermissionError` naming the keys a DeleteObjects *response* failed."""
    errors = response.get("Errors") or []
    if errors:
        shown = ", ".join(
            f"{bucket}/{e.get('Key')} ({e.get('Code')}: {e.get('Message')})" for e in errors[:5]
        )
        more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
        raise PermissionError(f"S3 could not delete {len(errors)} object(s): {shown}{more}")


async def _delete_keys(fs: Any, bucket: str, keys: Sequence[str]) -> None:
    response = await fs._call_s3(
        "delete_objects", Bucket=bucket,
        Delete={"Objects": [{"Key": key} for key in keys], "Quiet": True},
    )
    check_deleted(bucket, response)


def bucket_prefix(fs: Any, root: str) -> tuple[str, str]:
    """The bucket of the S3 path *root*, and the key prefix of everything below it."""
    bucket, key, _ = fs.split_path(root)
    return bucket, f"{key.rstrip('/')}/" if key else ""


def _split(fs: Any, paths: Sequence[str]) -> tuple[str, list[str]]:
    buckets = set()
    keys = []
    for path in paths:
        bucket, key, _ = fs.split_path(path)
        buckets.add(bucket)
        keys.append(key)
    if len(buckets) != 1:
        raise ValueError(f"a bulk delete spans buckets {sorted(buckets)}")
    return buckets.pop(), keys


async def _delete_batches(
    fs: Any, bucket: str, batches: AsyncIterator[list[str]]
) -> list[str]:
    """Delete each of *batches* as it arrives, at most IN_FLIGHT at once; the keys deleted.

    Every started delete ends before this returns or raises: a failure of
    *batches* itself (a listing) raises its own error, otherwise the first
    failed delete's.
    """
    gate = asyncio.Semaphore(IN_FLIGHT)
    started: list[asyncio.Future[None]] = []  # all kept: a failure must not go unseen
    deleted: list[str] = []

    async def one(batch: list[str]) -> None:
        try:
            await _delete_keys(fs, bucket, batch)
        finally:
            gate.release()

    try:
        async for batch in batches:
            deleted.extend(batch)
            await gate.acquire()
            started.append(asyncio.ensure_future(one(batch)))
    finally:
        outcomes = await asyncio.gather(*started, return_exceptions=True)
    raise_first(outcomes)
    return deleted


async def _chunks(keys: list[str]) -> AsyncIterator[list[str]]:
    for i in range(0, len(keys), BATCH):
        yield keys[i : i + BATCH]


def raise_first(outcomes: Sequence[object]) -> None:
    """Raise the first exception among gathered *outcomes* (all of them have ended)."""
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


def delete_paths(fs: Any, paths: Sequence[str]) -> None:
    """Delete *paths* (one bucket) in DeleteObjects of 1,000, a few at a time."""
    if not paths:
        return
    bucket, keys = _split(fs, paths)
    for path in paths:
        fs.invalidate_cache(path)
    sync(fs.loop, _delete_batches, fs, bucket, _chunks(keys))


async def _listed_batches(
    fs: Any, bucket: str, prefix: str, select: Callable[[str], bool], page_size: int
) -> AsyncIterator[list[str]]:
    """The keys *select* accepts, one listing page at a time."""
    token: str | None = None
    while True:
        extra = {"ContinuationToken": token} if token else {}
        page = await fs._call_s3(
            "list_objects_v2", Bucket=bucket, Prefix=prefix, MaxKeys=page_size, **extra
        )
        batch = [o["Key"] for o in page.get("Contents", []) if select(o["Key"])]
        if batch:
            yield batch
        if not page.get("IsTruncated"):
            return
        token = page["NextContinuationToken"]


def delete_listed(
    fs: Any, root: str, select: Callable[[str], bool], *, page_size: int = BATCH
) -> list[str]:
    """Delete every object below the S3 path *root* whose key below it *select* accepts.

    Returns the keys (relative to *root*) it deleted.  Each listing page of
    *page_size* (at most 1,000) keys is deleted in one DeleteObjects, started
    while the next page is listed; the first failure raises once the started
    deletes end.
    """
    if not 0 < page_size <= BATCH:
        raise ValueError(f"page_size must be 1..{BATCH}, not {page_size}")
    bucket, prefix = bucket_prefix(fs, root)
    fs.invalidate_cache(root)
    batches = _listed_batches(fs, bucket, prefix, lambda k: select(k[len(prefix):]), page_size)
    keys = sync(fs.loop, _delete_batches, fs, bucket, batches)
    return [k[len(prefix):] for k in keys]
