"""Part of the Toil adapter: the job methods of :class:`~fsjobstore.jobstore.FsspecJobStore`.

A job is one JSON manifest (:mod:`fsjobstore.manifest`) holding Toil's pickled
description; ``batch()`` and ``clean()`` turn many single writes and deletes
into bulk ones.
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

from toil.job import JobDescription, TemporaryID
from toil.jobStores.abstractJobStore import AbstractJobStore, NoSuchJobException
from typing_extensions import override

from fsjobstore import layout, manifest
from fsjobstore._job_fields import describe_job
from fsjobstore._redact import redacting_logger
from fsjobstore._toil_errors import job_key
from fsjobstore.errors import CorruptObjectError, InvalidInputError, ObjectNotFoundError

if TYPE_CHECKING:
    from fsjobstore.storage import Storage

__all__ = ["JobMethods"]

logger = redacting_logger(__name__)

#: jobs() holds at most this many manifests at once (a benchmark job's manifest is
#: 1.3 KB), so its memory does not grow with the store.  Each batch is read
#: concurrently, and its end waits for its slowest read, so batches are large.
_JOBS_BATCH = 10_000


class JobMethods(AbstractJobStore):
    """Job descriptions: create, load, update, delete, list, clean."""

    _storage: Storage
    #: Jobs created inside ``batch()``, written in bulk when it ends.
    _batched: list[JobDescription] | None
    #: Jobs deleted during ``clean()``, removed from storage in bulk when it ends.
    _doomed: set[str] | None

    @override
    def assign_job_id(self, job_description: JobDescription) -> None:
        job_description.jobStoreID = layout.new_job_id(job_description.jobName)

    @override
    def create_job(self, job_description: JobDescription) -> JobDescription:
        if self._batched is not None:
            self._batched.append(job_description)
        else:
            self.update_job(job_description)
        return job_description

    @override
    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        if self._batched is not None:  # nested batch: the outer one writes
            yield
            return
        self._batched = []
        try:
            yield
            pending = {}
            for job_description in self._batched:
                key, data = self._encode_job(job_description)
                pending[key] = data
            self._storage.write_many(pending)
        finally:
            self._batched = None

    @override
    def job_exists(self, job_id: str) -> bool:
        if self._doomed is not None and str(job_id) in self._doomed:
            return False
        try:
            key = layout.job_key(str(job_id))
        except InvalidInputError:
            # Names no job here, as in Toil's stores: `toil debug-job` asks this
            # of what the user typed, and looks it up as a job name if False.
            return False
        return self._storage.exists(key)

    @override
    def load_job(self, job_id: str) -> JobDescription:
        key = job_key(str(job_id))
        if self._doomed is not None and str(job_id) in self._doomed:
            raise NoSuchJobException(job_id)
        try:
            data = self._storage.read_bytes(key)
        except ObjectNotFoundError:
            raise NoSuchJobException(job_id) from None
        return self._decode_job(data, key)

    @override
    def update_job(self, job_description: JobDescription) -> None:
        key, data = self._encode_job(job_description)
        self._storage.write_bytes(key, data)

    @override
    def delete_job(self, job_id: str) -> None:
        key = job_key(str(job_id))
        if self._doomed is not None:
            self._doomed.add(str(job_id))
            return
        # The manifest goes first: a crash in between leaves unreferenced files
        # (which `fsjobstore gc` removes), never a job whose files are gone.
        self._storage.delete(key)
        self._storage.delete_prefix(layout.owned_prefix(str(job_id)))

    @override
    def clean(self, jobCache: Any = None) -> JobDescription:
        # Toil's clean() deletes orphaned jobs one at a time: two round trips
        # each.  Here they are recorded (and hidden from job_exists/load_job)
        # and removed in bulk when it returns.
        if self._doomed is not None:
            return cast(JobDescription, super().clean(jobCache))
        self._doomed = set()
        try:
            return cast(JobDescription, super().clean(jobCache))
        finally:
            doomed, self._doomed = self._doomed, None
            self._delete_jobs(doomed)

    def _delete_jobs(self, job_ids: set[str]) -> None:
        """Delete many jobs: manifests in bulk first, then their owned files."""
        if not job_ids:
            return
        storage = self._storage
        storage.delete_many(layout.job_key(job_id) for job_id in sorted(job_ids))
        if len(job_ids) <= 8:
            for job_id in sorted(job_ids):
                storage.delete_prefix(layout.owned_prefix(job_id))
            return
        owned = storage.list_keys(layout.OWNED)
        storage.delete_many(k for k in owned if k.split("/", 2)[1] in job_ids)
        if storage.capabilities.needs_dirs:
            for job_id in sorted(job_ids):
                storage.delete_prefix(layout.owned_prefix(job_id))

    @override
    def jobs(self) -> Iterator[JobDescription]:
        doomed = self._doomed or set()
        keys = [
            k for k in self._storage.list_keys(layout.JOBS)
            if (job_id := layout.job_id_from_key(k)) is not None and job_id not in doomed
        ]
        for batch in self._storage.read_batches(keys, _JOBS_BATCH):
            for key, data in batch.items():
                if data is None:
                    continue  # deleted since the listing
                try:
                    yield self._decode_job(data, key)
                except CorruptObjectError as exc:
                    logger.warning("Skipping unreadable job manifest: %s", exc)

    @override
    def create_root_job(self, job_description: JobDescription) -> JobDescription:
        # Toil 9.6's version insists on a FileID job ID; ours are plain strings.
        self.create_job(job_description)
        if job_description.jobStoreID is None or isinstance(
            job_description.jobStoreID, TemporaryID
        ):
            raise InvalidInputError(
                f"create_root_job needs a job with an assigned ID; call assign_job_id "
                f"first ({job_description})"
            )
        self.set_root_job(str(job_description.jobStoreID))
        return job_description

    def _encode_job(self, job_description: JobDescription) -> tuple[str, bytes]:
        job_id = job_description.jobStoreID
        if job_id is None or isinstance(job_id, TemporaryID):
            raise InvalidInputError(
                f"job {job_description} has no assigned ID; call assign_job_id first"
            )
        job_description.pre_update_hook()
        payload = pickle.dumps(job_description, protocol=pickle.HIGHEST_PROTOCOL)
        return layout.job_key(str(job_id)), manifest.encode(
            describe_job(job_description), payload
        )

    def _decode_job(self, data: bytes, key: str) -> JobDescription:
        where = f"{self._storage.url}: {key}"
        document = manifest.decode(data, where=where)
        try:
            job = pickle.loads(manifest.payload(document))
        except Exception as exc:
            raise CorruptObjectError(f"{where}: the job payload does not unpickle: {exc}") from None
        if not isinstance(job, JobDescription):
            raise CorruptObjectError(f"{where}: the payload is a {type(job).__name__}")
        job.assignConfig(self.config)
        return job
