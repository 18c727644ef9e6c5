"""Requests per operation on GCS and Azure (counted at the client, per request
sent): one for every everyday operation, as on S3 (test_s3_requests.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import new_job
from tests.conformance._remotes import Remote

MISSING_FILE = "files/" + "0" * 32 + "/missing"


def sent(remote: Remote, call: Callable[[], object]) -> list[str]:
    with remote.requests() as seen:
        call()
    return seen.sequence


def test_job_operations_take_one_request(remote: Remote) -> None:
    store, names = remote.store, remote.names
    job = new_job(store)
    job_id = str(job.jobStoreID)
    assert sent(remote, lambda: new_job(store)) == [names.upload]
    assert sent(remote, lambda: store.update_job(job)) == [names.upload]
    assert sent(remote, lambda: store.load_job(job_id)) == [names.download]
    assert sent(remote, lambda: store.job_exists(job_id)) == [names.stat]
    assert sent(remote, lambda: store.job_exists("missing-job")) == [names.stat]


def test_small_file_operations_take_one_request(remote: Remote, tmp_path: Path) -> None:
    store, names = remote.store, remote.names
    local = tmp_path / "small.txt"
    local.write_bytes(b"4" * 4096)
    ids: list[str] = []
    assert sent(remote, lambda: ids.append(store.write_file(str(local)))) == [names.upload]
    file_id = ids[0]
    for call in (lambda: store.file_exists(file_id), lambda: store.get_file_size(file_id),
                 lambda: store.file_exists(MISSING_FILE),
                 lambda: store.get_file_size(MISSING_FILE)):
        assert sent(remote, call) == [names.stat]
    copy = tmp_path / "copy"
    assert sent(remote, lambda: store.read_file(file_id, str(copy))) == [names.download]
    assert copy.read_bytes() == b"4" * 4096

    def read_stream() -> None:
        with store.read_file_stream(file_id) as f:
            assert f.read() == b"4" * 4096

    assert sent(remote, read_stream) == [names.download]


def test_shared_files_take_one_request(remote: Remote) -> None:
    store, names = remote.store, remote.names

    def write() -> None:
        with store.write_shared_file_stream("small") as f:
            f.write(b"shared")

    def read() -> None:
        with store.read_shared_file_stream("small") as f:
            assert f.read() == b"shared"

    assert sent(remote, write) == [names.upload]
    assert sent(remote, read) == [names.download]


def test_delete_job_is_one_delete_and_one_listing(remote: Remote, tmp_path: Path) -> None:
    store, names = remote.store, remote.names
    job_id = str(new_job(store).jobStoreID)
    assert sent(remote, lambda: store.delete_job(job_id)) == [names.delete, names.listing]
    job_id = str(new_job(store).jobStoreID)
    local = tmp_path / "owned.txt"
    local.write_bytes(b"o")
    owned = [store.write_file(str(local), job_id, cleanup=True) for _ in range(2)]
    requests = sent(remote, lambda: store.delete_job(job_id))
    assert requests == [names.delete, names.listing, names.delete, names.delete]
    assert not any(store.file_exists(file_id) for file_id in owned)


def test_jobs_is_one_listing_and_one_read_per_job(remote: Remote) -> None:
    store, names = remote.store, remote.names
    for _ in range(3):
        new_job(store)
    requests = sent(remote, lambda: list(store.jobs()))
    assert requests == [names.listing] + [names.download] * 3


def test_worker_start_reads_config_once(remote: Remote) -> None:
    names = remote.names
    worker = FsspecJobStore(remote.store.locator, **remote.backend.storage_options)
    assert sent(remote, worker.resume) == [names.download] * 2  # the marker and the config
