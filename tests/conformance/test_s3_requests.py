"""Requests per operation on S3 (counted at the client, per request sent)."""

from __future__ import annotations

from pathlib import Path

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._counting import RequestCounter
from tests.conformance._helpers import new_job
from tests.servers import Backend


def count(store: FsspecJobStore) -> RequestCounter:
    return RequestCounter(store.storage.fs)


def test_job_operations_take_one_request(s3_store: FsspecJobStore) -> None:
    job = new_job(s3_store)
    job_id = str(job.jobStoreID)
    for name, call in [
        ("create_job", lambda: s3_store.create_job(job)),
        ("update_job", lambda: s3_store.update_job(job)),
        ("load_job", lambda: s3_store.load_job(job_id)),
        ("job_exists", lambda: s3_store.job_exists(job_id)),
    ]:
        with count(s3_store) as counter:
            call()
        assert counter.total == 1, (name, counter.by_operation)


def test_missing_objects_take_one_request(s3_store: FsspecJobStore) -> None:
    missing_file = "files/" + "0" * 32 + "/missing"
    for name, call in [
        ("job_exists", lambda: s3_store.job_exists("missing-job")),
        ("file_exists", lambda: s3_store.file_exists(missing_file)),
        ("get_file_size", lambda: s3_store.get_file_size(missing_file)),
    ]:
        with count(s3_store) as counter:
            call()
        assert counter.by_operation == {"HeadObject": 1}, (name, counter.by_operation)


def test_small_file_operations_take_one_request(s3_store: FsspecJobStore, tmp_path: Path) -> None:
    local = tmp_path / "small.txt"
    local.write_bytes(b"4" * 4096)
    with count(s3_store) as counter:
        file_id = s3_store.write_file(str(local))
    assert counter.by_operation == {"PutObject": 1}
    checks = [
        ("file_exists", lambda: s3_store.file_exists(file_id)),
        ("get_file_size", lambda: s3_store.get_file_size(file_id)),
        ("read_file", lambda: s3_store.read_file(file_id, str(tmp_path / "copy"))),
    ]
    for name, call in checks:
        with count(s3_store) as counter:
            call()
        assert counter.total == 1, (name, counter.by_operation)
    with count(s3_store) as counter, s3_store.read_file_stream(file_id) as f:
        assert f.read() == b"4" * 4096
    assert counter.by_operation == {"GetObject": 1}


def test_shared_files_take_one_request(s3_store: FsspecJobStore) -> None:
    with count(s3_store) as counter, s3_store.write_shared_file_stream("small") as f:
        f.write(b"shared")
    assert counter.by_operation == {"PutObject": 1}
    with count(s3_store) as counter, s3_store.read_shared_file_stream("small") as f:
        assert f.read() == b"shared"
    assert counter.by_operation == {"GetObject": 1}


def test_worker_start_reads_config_once(s3_store: FsspecJobStore, s3_backend: Backend) -> None:
    worker_store = FsspecJobStore(s3_store.locator, **s3_backend.storage_options)
    with count(worker_store) as counter:
        worker_store.resume()
    assert counter.by_operation == {"GetObject": 2}  # the marker and the config, at once


def test_delete_job_without_files_takes_two_requests(s3_store: FsspecJobStore) -> None:
    job = new_job(s3_store)
    with count(s3_store) as counter:
        s3_store.delete_job(str(job.jobStoreID))
    assert counter.by_operation == {"DeleteObject": 1, "ListObjectsV2": 1}


def test_delete_job_is_bulk(s3_store: FsspecJobStore) -> None:
    job = new_job(s3_store)
    for _ in range(5):
        s3_store.get_empty_file_store_id(str(job.jobStoreID), cleanup=True)
    with count(s3_store) as counter:
        s3_store.delete_job(str(job.jobStoreID))
    assert counter.by_operation == {"DeleteObject": 1, "ListObjectsV2": 1, "DeleteObjects": 1}


def test_jobs_lists_once_and_reads_each_job_once(s3_store: FsspecJobStore) -> None:
    with s3_store.batch():
        for i in range(25):
            new_job(s3_store, f"j{i}")
    with count(s3_store) as counter:
        assert len(list(s3_store.jobs())) == 25
    assert counter.by_operation == {"ListObjectsV2": 1, "GetObject": 25}
