"""Integrity checks, garbage collection and destruction of a store, without Toil.

* :func:`verify` lists every :class:`Problem` in a store: a missing or invalid
  marker, manifests that do not parse or do not match their key, files that a
  job or the root return value refers to but that are gone, a missing
  ``shared/config.pickle``, leftover temporary objects, owned files whose job is
  gone, and (S3 only) unfinished multipart uploads under the store's prefix.
* :func:`collect_garbage` removes only the problems :func:`verify` proved to be
  orphans (``removable``) and older than a minimum age.
* :func:`destroy_store` deletes a store: only where its marker is (or, without
  one, nothing but a destroyed store's leftovers is), only the store's own
  top-level prefixes (on S3 with their unfinished multipart
  uploads), and the marker last, so an interrupted destroy can be run again.
  The Toil adapter's ``destroy`` calls it.

Files named in a manifest's ``files_to_delete`` may be missing: Toil deletes
them before it clears the list, so their absence is not a problem.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from fsjobstore import layout, manifest
from fsjobstore._redact import redacting_logger
from fsjobstore._s3_uploads import Upload
from fsjobstore._snapshot import (
    CREATED_FIELDS,
    MODIFIED_FIELDS,
    Snapshot,
    file_ids_in,
    listing_time,
)
from fsjobstore.errors import BackendError, CorruptObjectError, NotAJobStoreError
from fsjobstore.storage import Storage

__all__ = [
    "STORE_TOP_LEVEL",
    "Problem",
    "collect_garbage",
    "destroy_store",
    "is_store_key",
    "store_uploads",
    "unfinished_uploads",
    "verify",
]

logger = redacting_logger(__name__)

#: The top-level names a store owns; nothing else under the root is ever deleted.
STORE_TOP_LEVEL = frozenset({layout.MARKER, *layout.TOP_LEVEL})


@dataclass(frozen=True)
class Problem:
    """One integrity problem: its *kind*, the *key* it concerns and a *detail*.

    ``removable`` problems are proven orphans that :func:`collect_garbage`
    deletes; ``upload_id`` is set for unfinished S3 multipart uploads.
    """

    kind: str
    key: str
    detail: str
    removable: bool = False
    modified: datetime | None = None
    upload_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.kind}\t{self.key}\t{self.detail}"


_MARKER_PROBLEMS = frozenset({"marker-missing", "marker-invalid"})


def is_store_key(key: str) -> bool:
    """Whether *key* is one the store owns (below a store prefix, or a root temporary)."""
    top = key.split("/", 1)[0]
    return top in STORE_TOP_LEVEL or (top == key and layout.is_temp_name(key))


def verify(storage: Storage, snapshot: Snapshot) -> list[Problem]:
    """Every integrity problem in the store *snapshot* was taken of."""
    problems: list[Problem] = []
    if snapshot.marker_error:
        problems.append(Problem("marker-invalid", layout.MARKER, snapshot.marker_error))
    elif snapshot.marker is None:
        problems.append(Problem("marker-missing", layout.MARKER, "the store has no marker"))
    elif layout.shared_key("config.pickle") not in snapshot.objects:
        # initialize() writes the marker, then Toil's config: a leader stopped
        # between the two (or one starting this moment).
        problems.append(Problem(
            "config-missing", layout.shared_key("config.pickle"),
            "the marker is there but not Toil's config: an initialize that did not finish "
            "(Toil cannot resume it; 'toil clean' or 'fsjobstore destroy' removes it)"))
    for key, reason in sorted(snapshot.corrupt.items()):
        problems.append(Problem("manifest-corrupt", key, reason))
    for job_id, document in sorted(snapshot.manifests.items()):
        if document.get("job_id") != job_id:
            problems.append(
                Problem("manifest-mismatch", layout.job_key(job_id),
                        f"job_id field is {document.get('job_id')!r}, expected {job_id!r}")
            )
    problems.extend(_missing_files(storage, snapshot))
    for key in snapshot.temp_keys():
        problems.append(
            Problem("temporary-object", key, "leftover of an interrupted write",
                    removable=True, modified=_modified(snapshot, key))
        )
    jobs = set(snapshot.manifests) | {
        str(layout.job_id_from_key(k)) for k in snapshot.corrupt
    }
    for key in sorted(snapshot.under(layout.OWNED)):
        owner = key.split("/", 2)[1]
        if owner not in jobs and not layout.is_temp_name(key):
            problems.append(
                Problem("orphaned-file", key, f"owned by job {owner!r}, whose manifest is gone",
                        removable=True, modified=_modified(snapshot, key))
            )
    problems.extend(unfinished_uploads(storage))
    return problems


def _missing_files(storage: Storage, snapshot: Snapshot) -> list[Problem]:
    problems: list[Problem] = []
    for job_id, document in sorted(snapshot.manifests.items()):
        key = layout.job_key(job_id)
        wanted = set(snapshot.references.get(job_id, set()))
        log_file = document.get("log_file_id")
        if isinstance(log_file, str):
            wanted.add(log_file)
        wanted -= {str(f) for f in document.get("files_to_delete") or []}
        wanted -= {str(f) for f in document.get("service_flags") or []}  # deleted as it ends
        for file_id in sorted(wanted):
            if file_id not in snapshot.objects:
                problems.append(
                    Problem("missing-file", file_id, f"referenced by {key}, but does not exist")
                )
    return_value = layout.shared_key("rootJobReturnValue")
    if return_value in snapshot.objects:
        data = storage.read_many([return_value]).get(return_value) or b""
        for file_id in sorted(file_ids_in(data)):
            if file_id not in snapshot.objects:
                problems.append(
                    Problem("missing-file", file_id,
                            f"referenced by {return_value}, but does not exist")
                )
    return problems


def _modified(snapshot: Snapshot, key: str) -> datetime | None:
    # A memory object has only a creation time, which a write renews (it makes
    # a new object): as good a time for its age.
    return listing_time(snapshot.objects.get(key, {}), *MODIFIED_FIELDS, *CREATED_FIELDS)


def store_uploads(storage: Storage) -> list[Upload]:
    """The unfinished multipart uploads ``destroy`` aborts: those under the store's
    own prefixes (S3; none elsewhere).  Raises :class:`BackendError` where the
    credentials may not list them."""
    return _of_store(storage.unfinished_uploads())


def _of_store(uploads: list[Upload]) -> list[Upload]:
    """The *uploads* under the store's own prefixes (the bucket may hold others)."""
    return [u for u in uploads if is_store_key(u.key)]


def _abort_store_uploads(
    storage: Storage, listing: Future[list[Upload]] | None
) -> list[Upload]:
    """Abort the store's unfinished uploads (listed by *listing* if given); those aborted.

    Listing and aborting uploads are permissions of their own on S3
    (``s3:ListBucketMultipartUploads``, ``s3:AbortMultipartUpload``); where they
    are refused, the destroy goes on and says what it left.
    """
    try:
        listed = listing.result() if listing is not None else storage.unfinished_uploads()
        ours = _of_store(listed)
        storage.abort_uploads(ours)
    except BackendError as exc:
        if not isinstance(exc.__cause__, PermissionError):
            raise
        logger.warning("%s; unfinished multipart uploads under the store, if any, are left "
                     "to the bucket's lifecycle rules", exc)
        return []
    return ours


def unfinished_uploads(storage: Storage) -> list[Problem]:
    """Unfinished S3 multipart uploads under the store's prefix (none elsewhere)."""
    return [
        Problem("unfinished-upload", upload.key, f"multipart upload {upload.upload_id} "
                f"started {upload.initiated} was never completed", removable=True,
                modified=upload.initiated, upload_id=upload.upload_id)
        for upload in storage.unfinished_uploads()
    ]


def collect_garbage(
    storage: Storage,
    problems: Iterable[Problem],
    *,
    min_age: timedelta = timedelta(hours=1),
    dry_run: bool = True,
    now: datetime | None = None,
) -> list[Problem]:
    """Remove the removable *problems* older than *min_age*; the ones removed (or, dry, to be).

    The age guard protects a running workflow, whose writes in flight look like
    orphans for a moment.  An object whose listing has no time is of unknown age:
    removed only when *min_age* is zero.  An unfinished S3 upload is as old as
    its latest part (one ListParts for each one old enough by its start): a
    large stream still being written is spared.
    Refuses with :class:`NotAJobStoreError`, even dry, when *problems* say the
    marker is missing or unreadable: without it, objects that look like orphans
    may belong to something else (or to a store of a format this release does
    not know).
    """
    problems = list(problems)
    unsure = next((p for p in problems if p.kind in _MARKER_PROBLEMS), None)
    if unsure is not None:
        raise NotAJobStoreError(
            f"refusing to remove orphans from {storage.url}: "
            f"{unsure.detail.removeprefix(storage.url + ': ')}, so it may "
            "not be a job store (or be one this release does not know)"
        )
    now = now or datetime.now(timezone.utc)
    chosen = [
        p for p in problems
        if p.removable and (min_age <= timedelta(0)
                            or (p.modified is not None and now - p.modified >= min_age))
    ]
    chosen = [p for p in chosen if not _still_uploading(storage, p, now, min_age)]
    if dry_run:
        return chosen
    storage.delete_many(p.key for p in chosen if p.upload_id is None)
    storage.abort_uploads([Upload(p.key, p.upload_id, p.modified)
                           for p in chosen if p.upload_id is not None])
    # Where directories are real, the ones emptied go too.
    with contextlib.suppress(Exception):
        storage.remove_empty_parents(p.key for p in chosen if p.upload_id is None)
    return chosen


def _still_uploading(storage: Storage, problem: Problem, now: datetime,
                     min_age: timedelta) -> bool:
    """Whether *problem*, an unfinished upload old enough by its start, received a
    part within *min_age*, or is gone (completed or aborted since it was listed)."""
    if problem.upload_id is None or min_age <= timedelta(0):
        return False
    try:
        active = storage.upload_activity(Upload(problem.key, problem.upload_id, problem.modified))
    except BackendError as exc:  # ListParts is a permission of its own on S3
        if not isinstance(exc.__cause__, PermissionError):
            raise  # throttled, dropped, 5xx: not knowing is no reason to abort
        logger.warning("%s; aged by when it began", exc)
        return False
    return active is None or now - active < min_age


#: Job manifests read, at most, for proof that a prefix without a marker was a store.
_PROOF_READS = 16


def _proof_of_a_store(storage: Storage, late_writes: list[str]) -> bool:
    """Whether *late_writes* (:func:`~fsjobstore.layout.is_late_write`, under a
    prefix without a marker) show that a store was there: temporary objects
    alone (named as only a store names them), a log message, or a job manifest
    of fsjobstore's, read and checked (a folder named by an MD5 digest, a cron
    job's ``shared/failed.log``, are no proof)."""
    if (any(layout.is_log_message(k) for k in late_writes)
            or all(layout.is_store_temp(k) for k in late_writes)):
        return True
    job_ids = {k: job_id for k in late_writes
               if k.startswith(f"{layout.JOBS}/") and (job_id := layout.job_id_from_key(k))}
    for key, data in storage.read_many(list(job_ids)[:_PROOF_READS]).items():
        try:
            document = manifest.decode(data or b"", where=key)
        except CorruptObjectError:
            continue
        if document.get("job_id") == job_ids[key]:
            return True
    return False


def destroy_store(
    storage: Storage, *, dry_run: bool = False, aborted: list[Upload] | None = None
) -> list[str]:
    """Delete the store at *storage*; the keys deleted (or, dry, that would be).

    Refuses with :class:`NotAJobStoreError` when the root holds objects but no
    marker, other than what a destroyed store's leader and workers write after
    (:func:`~fsjobstore.layout.is_late_write`).  Deletes only keys for which
    :func:`is_store_key` holds, marker last; on S3 it also aborts the store's
    unfinished multipart uploads (before the marker goes), and adds them to
    *aborted* if given.
    An empty or already destroyed location is not an error.
    """
    uploads: Future[list[Upload]] | None = None
    listed: list[str] = []
    if not dry_run and storage.exists(layout.MARKER):
        # A store: delete what is ours while listing it, and list its unfinished
        # uploads meanwhile (one more round trip, overlapped).
        has_marker = True
        with ThreadPoolExecutor(max_workers=1) as pool:
            uploads = pool.submit(storage.unfinished_uploads)
            deleted = sorted(
                storage.delete_listed(lambda k: k != layout.MARKER and is_store_key(k))
            )
    else:
        # One listing answers both questions: is the marker there (any object by
        # that name counts, readable or not), and what else is ours.
        listed = storage.list_keys_at_root()
        ours = [k for k in listed if is_store_key(k)]
        has_marker = layout.MARKER in ours
        # Without a marker, only what no other program would leave may go: what
        # a leader and its workers still running when the store was destroyed
        # write after (its last log message, the jobs' files, updated jobs and
        # Toil's end-of-run sentinel); Toil's own directory store makes them
        # fail, here they would leave a prefix no one could remove with
        # `toil clean`.
        late = not has_marker and all(layout.is_late_write(k) for k in ours)
        if not has_marker and not (late and _proof_of_a_store(storage, ours)):
            hint = ("; they are named as a store's files are, but nothing proves it was "
                    "one (no log message or job manifest of a store beside them): if a "
                    "workflow cleaned while it ran left them, delete them by hand"
                    ) if late else ""
            raise NotAJobStoreError(
                f"refusing to destroy {storage.url}: it holds objects but no "
                f"{layout.MARKER} marker, so it may not be a job store{hint}"
            )
        deleted = sorted(k for k in ours if k != layout.MARKER)
        if dry_run:
            return [*deleted, *([layout.MARKER] if has_marker else [])]
        storage.delete_many(deleted)
    if has_marker:
        # Parts of uploads never completed (a worker killed mid-write) are
        # billed until aborted.  Then the marker, last, so an interrupted
        # destroy can be run again.
        done = _abort_store_uploads(storage, uploads)
        if aborted is not None:
            aborted.extend(done)
        storage.delete(layout.MARKER)
        deleted.append(layout.MARKER)
    # The store's empty directories go too: after its objects, or where only
    # directories are left (a destroy interrupted after its marker); not where
    # nothing of a store's was deleted beside other data.
    if deleted or not listed:
        with contextlib.suppress(Exception):
            storage.remove_empty_dirs()
    return deleted
