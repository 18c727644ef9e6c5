"""First reads that pin the version of the object read, on GCS, Azure and in memory.

A read stream of a large object gets its first bytes from one request and the
rest from later ones.  A writer may replace the object in between (fsjobstore
replaces objects whole, never in place), so each later request names the
version the first one returned -- on GCS its generation (``generation=``), on
Azure its ETag (``If-Match``) -- and checks the version that answers.  A
stream whose version is gone fails with :class:`ObjectChangedError` (S3 does
the same in :mod:`fsjobstore._s3_stream`); it never mixes two versions.  With
object versioning on (GCS), a replaced generation can still be read, and is.
In memory the first read takes the stored bytes whole: a replacement stores
new bytes and never changes those.

The functions take the filesystem, a backend path (``bucket/key``) and how
many bytes to read first; they raise the backend's errors (a missing object
as ``FileNotFoundError``), which the caller translates.  :data:`FIRST_READ`
gives them by backend profile name.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fsspec.asyn import sync

from fsjobstore._pinned_stream import RangeReader

__all__ = ["FIRST_READ", "FirstRead", "ObjectChangedError"]


class ObjectChangedError(OSError):
    """The version a stream was reading is gone: the object was replaced (or deleted)."""


@dataclass(frozen=True)
class FirstRead:
    """An object's first bytes, its size, and the rest of the same version.

    ``read_range(start, end)`` gives bytes ``[start, end)`` of the version
    ``data`` came from, or raises :class:`ObjectChangedError` if it is gone.
    """

    data: bytes
    size: int
    read_range: RangeReader


def gcs_first_read(fs: Any, path: str, length: int) -> FirstRead:
    """The first *length* bytes of *path* on GCS (gcsfs) in one GET, and its generation."""
    from gcsfs.retry import HttpError

    try:
        headers, data = fs.call("GET", fs.url(path), headers={"Range": f"bytes=0-{length - 1}"})
    except HttpError as exc:
        if exc.code != 416:  # any other failure must not fetch a large object whole
            raise
        # The server refuses a range on an empty object: read it whole instead.
        headers, data = fs.call("GET", fs.url(path))
    generation = headers.get("X-Goog-Generation")

    def read_range(start: int, end: int) -> bytes:
        # The generation in the URL rather than ifGenerationMatch=, which
        # fake-gcs-server ignores on reads.  A generation no longer stored
        # answers 404, as a deleted object does.
        try:
            got, chunk = fs.call("GET", fs.url(path, generation=generation),
                                 headers={"Range": f"bytes={start}-{end - 1}"})
        except FileNotFoundError as exc:
            raise _changed("generation", generation) from exc
        _check_version("generation", generation, got.get("X-Goog-Generation"))
        return bytes(chunk)

    return FirstRead(bytes(data), _total_size(headers.get("Content-Range"), len(data)),
                     read_range)


def azure_first_read(fs: Any, path: str, length: int) -> FirstRead:
    """The first *length* bytes of the blob *path* (adlfs) in one Get Blob, and its ETag."""
    from azure.core import MatchConditions
    from azure.core.exceptions import (
        HttpResponseError,
        ResourceModifiedError,
        ResourceNotFoundError,
    )

    container, blob, _ = fs.split_path(path)
    timeouts = dict(getattr(fs, "_timeout_kwargs", {}))  # adlfs's timeout= option

    async def download(**kwargs: Any) -> tuple[bytes, str | None, str | None]:
        async with fs.service_client.get_blob_client(container, blob) as client:
            stream = await client.download_blob(**kwargs, **timeouts)
            data = await stream.readall()
        return bytes(data), stream.properties.etag, stream.properties.content_range

    def call(**kwargs: Any) -> tuple[bytes, str | None, str | None]:
        try:
            return sync(fs.loop, download, **kwargs)  # type: ignore[no-any-return]
        except ResourceNotFoundError as exc:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path) from exc

    try:
        data, etag, content_range = call(offset=0, length=length)
    except HttpResponseError as exc:
        if exc.status_code != 416:  # an empty blob refuses a range: read it whole
            raise
        data, etag, content_range = call()

    def read_range(start: int, end: int) -> bytes:
        pinned: dict[str, Any] = (
            {"etag": etag, "match_condition": MatchConditions.IfNotModified} if etag else {})
        try:
            chunk, got, _ = call(offset=start, length=end - start, **pinned)
        except ResourceModifiedError as exc:
            raise _changed("ETag", etag) from exc
        _check_version("ETag", etag, got)
        return chunk

    return FirstRead(data, _total_size(content_range, len(data)), read_range)


def memory_first_read(fs: Any, path: str, length: int) -> FirstRead:
    """The whole object *path* in fsspec's memory filesystem, whatever *length*.

    The stored bytes themselves where the store allows (``getvalue`` of its
    ``BytesIO`` shares them), so nothing is copied; a replacement stores new ones.
    """
    with fs.open(path, "rb") as handle:
        getvalue = getattr(handle, "getvalue", None)
        data = bytes(getvalue() if getvalue is not None else handle.read())

    def read_range(start: int, end: int) -> bytes:
        return data[start:end]

    return FirstRead(data, len(data), read_range)


def _total_size(content_range: str | None, fallback: int) -> int:
    """The object's size from a ``bytes a-b/size`` Content-Range, else *fallback*."""
    total = (content_range or "").rpartition("/")[2].strip()
    return int(total) if total.isdigit() else fallback


def _check_version(kind: str, expected: str | None, found: str | None) -> None:
    # The request named the version; a server that ignores that (an emulator,
    # say) still says which version answered.
    if expected is not None and found is not None and found != expected:
        raise _changed(kind, expected)


def _changed(kind: str, version: str | None) -> ObjectChangedError:
    return ObjectChangedError(
        f"the object changed while being read: {kind} {version}, which the stream was "
        "reading, is gone (replaced or deleted since the stream was opened)"
    )


#: By profile name: the first bytes of an object, and the rest of that version.
FIRST_READ: Mapping[str, Callable[[Any, str, int], FirstRead]] = {
    "gcs": gcs_first_read,
    "azure": azure_first_read,
    "memory": memory_first_read,
}
