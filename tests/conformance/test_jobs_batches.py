"""jobs() reads manifests a batch at a time, so its memory does not grow with the store."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from fsjobstore import _toil_jobs
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._counting import RequestCounter
from tests.conformance._helpers import new_job


def _spy_batches(store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    sizes: list[int] = []
    read_many = store.storage.read_many

    def spy(keys: Sequence[str]) -> dict[str, bytes | None]:
        sizes.append(len(keys))
        return read_many(keys)

    monkeypatch.setattr(store.storage, "read_many", spy)
    return sizes


def test_jobs_reads_a_batch_at_a_time(store: FsspecJobStore,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_toil_jobs, "_JOBS_BATCH", 4)
    with store.batch():
        ids = {str(new_job(store, f"j{i}").jobStoreID) for i in range(10)}
    sizes = _spy_batches(store, monkeypatch)
    found = store.jobs()
    first = next(found)
    assert sizes == [4]  # the first job comes before the rest are read
    assert {str(first.jobStoreID), *(str(job.jobStoreID) for job in found)} == ids
    assert sizes == [4, 4, 2]


def test_batches_add_no_requests_on_s3(s3_store: FsspecJobStore,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_toil_jobs, "_JOBS_BATCH", 10)
    with s3_store.batch():
        for i in range(25):
            new_job(s3_store, f"j{i}")
    with RequestCounter(s3_store.storage.fs) as counter:
        assert len(list(s3_store.jobs())) == 25
    assert counter.by_operation == {"ListObjectsV2": 1, "GetObject": 25}
