"""One request where fsspec's generic calls to S3, GCS and Azure send more.

``fs.info`` on s3fs follows a 404 with a listing (is it a directory?);
``fs.isfile``/``fs.info`` on gcsfs send an object GET and a listing; adlfs
answers a missing blob's ``info`` with a HEAD and a listing.  ``fs.find`` below
a prefix lists twice on gcsfs when nothing is there, and on adlfs sends a HEAD
before its listing (and another HEAD and listing when nothing is there).  A key
here is never a directory, so one request answers.  The functions take the
filesystem and a backend path (``bucket/key``); they raise the backend's
errors, which the caller translates.  :data:`OBJECT_SIZE`,
:data:`LIST_BELOW` and :data:`DELETE_EXACT` give them by backend profile name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping
from typing import Any

from fsspec.asyn import sync

__all__ = ["DELETE_EXACT", "LIST_BELOW", "OBJECT_SIZE"]

#: Metadata with which adlfs and hierarchical-namespace accounts mark a directory.
_DIRECTORY_MARKS = ("is_directory", "hdi_isfolder")


def s3_size(fs: Any, path: str) -> int | None:
    """The size of the object at *path*, or None if there is none (one HEAD)."""
    bucket, key, _ = fs.split_path(path)
    try:
        return int(fs.call_s3("head_object", Bucket=bucket, Key=key)["ContentLength"])
    except FileNotFoundError:
        return None


def gcs_size(fs: Any, path: str) -> int | None:
    """The size of the object at *path*, or None if there is none (one GET)."""
    try:
        return int(sync(fs.loop, fs._get_object, path)["size"])
    except FileNotFoundError:
        return None


def gcs_list_below(fs: Any, path: str) -> list[str]:
    """Every object below the prefix *path* (one listing request per 5,000)."""
    objects, _ = sync(fs.loop, fs._do_list_objects, path, delimiter="")
    return [str(o["name"]) for o in objects]


def azure_size(fs: Any, path: str) -> int | None:
    """The size of the blob at *path*, or None if there is none (one HEAD)."""
    from azure.core.exceptions import ResourceNotFoundError

    container, blob, _ = fs.split_path(path)

    async def head() -> Any:
        async with fs.service_client.get_blob_client(container, blob) as client:
            return await client.get_blob_properties()

    try:
        properties = sync(fs.loop, head)
    except ResourceNotFoundError:
        return None
    if _is_directory(properties.metadata):
        return None
    return int(properties.size)


def azure_list_below(fs: Any, path: str) -> list[str]:
    """Every blob below the prefix *path* (one listing request per 5,000)."""
    from azure.core.exceptions import ResourceNotFoundError

    container, key, _ = fs.split_path(path)
    prefix = key.rstrip("/") + "/" if key else ""

    async def listing() -> list[str]:
        async with fs.service_client.get_container_client(container) as client:
            return [
                f"{container}/{blob.name}"
                async for blob in client.list_blobs(name_starts_with=prefix, include=["metadata"])
                if not _is_directory(blob.metadata)
            ]

    try:
        return list(sync(fs.loop, listing))
    except ResourceNotFoundError as exc:  # no such container
        raise FileNotFoundError(path) from exc


def azure_delete_exact(fs: Any, paths: list[str]) -> None:
    """Delete the blobs at *paths*, names ending in ``/`` too (adlfs's ``rm``
    strips that ``/`` and deletes nothing), all in one container."""
    from azure.core.exceptions import ResourceNotFoundError

    container = fs.split_path(paths[0])[0]
    names = [path.split("/", 1)[1] for path in paths]

    async def delete() -> None:
        async with fs.service_client.get_container_client(container) as client:
            for name in names:
                with contextlib.suppress(ResourceNotFoundError):
                    await client.delete_blob(name)

    sync(fs.loop, delete)


def _is_directory(metadata: dict[str, str] | None) -> bool:
    return any((metadata or {}).get(mark) == "true" for mark in _DIRECTORY_MARKS)


#: By profile name: the size of the object at a path, or None if there is none.
OBJECT_SIZE: Mapping[str, Callable[[Any, str], int | None]] = {
    "s3": s3_size,
    "gcs": gcs_size,
    "azure": azure_size,
}
#: By profile name: every object below a prefix (S3's is Storage._find: s3fs
#: lists once when given the prefix as ``prefix=``).
LIST_BELOW: Mapping[str, Callable[[Any, str], list[str]]] = {
    "gcs": gcs_list_below,
    "azure": azure_list_below,
}
#: By profile name: delete objects whose names end in "/" (folder objects),
#: where ``fs.rm`` cannot.
DELETE_EXACT: Mapping[str, Callable[[Any, list[str]], None]] = {
    "azure": azure_delete_exact,
}
