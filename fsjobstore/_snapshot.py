"""One consistent-enough read of a whole store: every object's listing entry and every manifest.

A :class:`Snapshot` is what the inspection API, ``verify`` and the CLI work from.
It is taken with the backend's bulk operations: the top-level prefixes are listed
concurrently (one recursive, paginated listing each), then every manifest is
fetched with :meth:`Storage.read_many` (concurrent ``cat`` on async backends) in
batches.  Nothing is unpickled and Toil is never imported.

The store may change while the snapshot is taken (a running leader writes): a
manifest listed but gone by the time it is read is dropped, never an error.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from fsjobstore import layout, manifest
from fsjobstore.errors import CorruptObjectError, InvalidInputError
from fsjobstore.marker import read_marker
from fsjobstore.storage import Storage

__all__ = ["CATEGORIES", "TOP_LEVEL", "Snapshot", "take_snapshot"]

#: The store's top-level prefixes, in the order they are shown.
TOP_LEVEL = layout.TOP_LEVEL
#: Human categories and the top-level prefixes each one covers.
CATEGORIES: Mapping[str, tuple[str, ...]] = {
    "jobs": (layout.JOBS,),
    "files": (layout.OWNED, layout.FILES, layout.HINTED, layout.HINTED_EXECUTABLE),
    "shared files": (layout.SHARED,),
    "logs": (layout.LOGS, layout.LOGS_READ),
}
_MARKERS = layout.LOGS_READ + "/"
#: Manifests fetched per bulk request batch (bounds memory and shows progress).
_BATCH = 1000

#: Reports progress: (what, done, total).  ``total`` may be None while unknown.
Progress = Callable[[str, int, "int | None"], None]


def _no_progress(what: str, done: int, total: int | None) -> None:
    return None


@dataclass
class Snapshot:
    """Every object under a store's root, as listed at ``taken``.

    ``objects`` maps each key to its listing details (``size`` at least).
    ``manifests`` holds each parsed job manifest by job ID; ``corrupt`` the
    manifests that did not parse, by key, with the reason.  ``marker`` is the
    marker document (None if absent); ``marker_error`` says why it is unusable.
    """

    url: str
    taken: datetime
    marker: dict[str, Any] | None
    marker_error: str | None
    objects: dict[str, dict[str, Any]]
    manifests: dict[str, dict[str, Any]] = field(default_factory=dict)
    corrupt: dict[str, str] = field(default_factory=dict)
    references: dict[str, set[str]] = field(default_factory=dict)
    """File IDs each job's payload mentions, found by scanning its bytes (never unpickled)."""

    def under(self, top: str) -> dict[str, dict[str, Any]]:
        """The objects below the top-level prefix *top*."""
        start = top + "/"
        return {k: v for k, v in self.objects.items() if k.startswith(start)}

    def size(self, key: str) -> int:
        return int(self.objects.get(key, {}).get("size") or 0)

    def temp_keys(self) -> list[str]:
        """Keys of leftover temporary objects (``.tmp-`` names) anywhere in the store."""
        return sorted(k for k in self.objects if layout.is_temp_name(k))


def take_snapshot(storage: Storage, progress: Progress = _no_progress) -> Snapshot:
    """List *storage* completely and read every job manifest (never its payload)."""
    marker: dict[str, Any] | None = None
    marker_error: str | None = None
    try:
        marker = read_marker(storage)
    except CorruptObjectError as exc:
        marker_error = exc.message
    # One listing of the root says which top-level prefixes exist, so absent
    # ones cost nothing (on S3, "find" on a missing prefix adds a HEAD and a LIST).
    objects, present = list_root_level(storage)
    tops = [top for top in TOP_LEVEL if top in present]
    progress("listing", 0, len(tops))
    with ThreadPoolExecutor(max_workers=max(len(tops), 1)) as pool:
        for done, found in enumerate(pool.map(storage.list_detailed, tops), start=1):
            objects.update(found)
            progress("listing", done, len(tops))
    for key in objects:
        if key.startswith(_MARKERS):
            # A delivery marker holds nothing of its own: on a local disk it is a
            # hard link to its message, whose bytes logs/ already counts.
            objects[key]["size"] = 0
    snapshot = Snapshot(storage.url, datetime.now(timezone.utc), marker, marker_error, objects)
    job_keys = sorted(
        k for k in snapshot.under(layout.JOBS) if layout.job_id_from_key(k) is not None
    )
    progress("reading manifests", 0, len(job_keys))
    done = 0
    for batch in storage.read_batches(job_keys, _BATCH):
        for key, data in batch.items():
            if data is None:
                objects.pop(key, None)  # deleted since it was listed
                continue
            try:
                document = manifest.decode(data, where=f"{storage.url}: {key}", check_ids=True)
            except CorruptObjectError as exc:
                snapshot.corrupt[key] = exc.message
                continue
            snapshot.references[str(layout.job_id_from_key(key))] = file_ids_in(
                _payload_bytes(document)
            )
            document.pop("payload", None)
            snapshot.manifests[str(layout.job_id_from_key(key))] = document
        done += len(batch)
        progress("reading manifests", done, len(job_keys))
    return snapshot


_FILE_ID_BYTES = re.compile(
    rb"(?:owned/[A-Za-z0-9._-]+/|files/)[0-9a-f]{32}(?:\\.x)?/[A-Za-z0-9._-]+"
)


def file_ids_in(data: bytes) -> set[str]:
    """The strings in *data* that are file IDs of this layout (owned and unowned files).

    Pickles store strings as plain bytes, so a job's payload or a shared file
    can be searched for the file IDs it holds without being unpickled.
    """
    found: set[str] = set()
    for match in _FILE_ID_BYTES.finditer(data):
        start, end = match.span()
        # A pickled string carries its length just before it: trust that over the
        # pattern, which could run on into a following opcode byte.
        if start >= 2 and data[start - 2] == 0x8C:  # SHORT_BINUNICODE
            end = start + data[start - 1]
        elif start >= 5 and data[start - 5] == ord("X"):  # BINUNICODE
            end = start + int.from_bytes(data[start - 4 : start], "little")
        candidate = data[start:end].decode("ascii", errors="replace")
        with contextlib.suppress(InvalidInputError):
            found.add(layout.parse_file_id(candidate).key)
    return found


def _payload_bytes(document: Mapping[str, Any]) -> bytes:
    try:
        return manifest.payload(document)
    except CorruptObjectError:
        return b""


def list_root_level(storage: Storage) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """Objects directly under the root, and the names of the prefixes there."""
    return storage.list_top_level()


def listing_time(info: Mapping[str, Any], *names: str) -> datetime | None:
    """The first of *names* in a listing entry, as an aware UTC datetime, or None.

    Backends spell times differently: local gives POSIX seconds (``mtime``,
    ``created``), s3fs ``LastModified`` datetimes, gcsfs/adlfs ISO strings, FTP
    ``20261129214235``.
    """
    for name in names:
        value = info.get(name)
        if value is None:
            continue
        if isinstance(value, datetime):  # s3fs: dateutil's tzutc() or tzlocal()
            return (value.astimezone(timezone.utc) if value.tzinfo
                    else value.replace(tzinfo=timezone.utc))
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        if isinstance(value, str):
            parsed: datetime | None
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                parsed = _ftp_time(value)
            if parsed is not None:
                return (parsed.astimezone(timezone.utc) if parsed.tzinfo
                        else parsed.replace(tzinfo=timezone.utc))
    return None


def _ftp_time(value: str) -> datetime | None:
    """An FTP ``MLSD`` ``modify`` fact (``YYYYMMDDHHMMSS[.sss]``, UTC, RFC 3659)."""
    whole, _, fraction = value.partition(".")
    if len(whole) != 14 or not whole.isdigit():  # strptime would take "2026112921"
        return None
    try:
        parsed = datetime.strptime(whole, "%Y%m%d%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    if fraction.isdigit():
        parsed = parsed.replace(microsecond=int(fraction[:6].ljust(6, "0")))
    return parsed


CREATED_FIELDS = ("created", "timeCreated", "creation_time", "ctime")
#: ``modify``: FTP's (fsspec's FTP listing passes the ``MLSD`` facts through).
MODIFIED_FIELDS = ("mtime", "LastModified", "last_modified", "updated", "modify")
