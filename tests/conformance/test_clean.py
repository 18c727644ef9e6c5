"""clean() on restart removes orphaned jobs and their files, in bulk."""

from __future__ import annotations

from toil.job import JobDescription

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._counting import RequestCounter
from tests.conformance._helpers import REQUIREMENTS, new_job
from tests.servers import Backend


def _root_and_orphans(store: FsspecJobStore, orphans: int) -> tuple[JobDescription, list[str]]:
    root = JobDescription(jobName="root", requirements=dict(REQUIREMENTS))
    store.assign_job_id(root)
    store.create_root_job(root)
    orphan_ids = []
    for i in range(orphans):
        orphan = new_job(store, f"orphan{i}")
        store.get_empty_file_store_id(str(orphan.jobStoreID), cleanup=True)
        orphan_ids.append(str(orphan.jobStoreID))
    return root, orphan_ids


def test_clean_removes_orphans_and_their_files(store: FsspecJobStore) -> None:
    root, orphan_ids = _root_and_orphans(store, 12)
    cache = {str(job.jobStoreID): job for job in store.jobs()}
    cleaned_root = store.clean(cache)
    assert cleaned_root.jobStoreID == root.jobStoreID
    assert [str(job.jobStoreID) for job in store.jobs()] == [str(root.jobStoreID)]
    assert not any(store.job_exists(job_id) for job_id in orphan_ids)
    owned = store.storage.list_keys("owned")
    assert not any(key.split("/")[1] in orphan_ids for key in owned)


def test_clean_deletes_in_bulk_on_s3(s3_backend: Backend) -> None:
    from toil.common import Config

    store = FsspecJobStore(s3_backend.new_url(), **s3_backend.storage_options)
    store.initialize(Config())
    _root_and_orphans(store, 30)
    cache = {str(job.jobStoreID): job for job in store.jobs()}
    with RequestCounter(store.storage.fs) as counter:
        store.clean(cache)
    # 30 orphans: one bulk delete of manifests, one listing and one bulk delete of
    # their files, instead of two or more requests per orphan.
    assert counter.by_operation["DeleteObjects"] == 2
    assert counter.by_operation.get("DeleteObject", 0) == 0
    store.destroy()
