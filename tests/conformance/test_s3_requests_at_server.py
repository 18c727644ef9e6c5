"""Requests per operation counted by an S3 server: the benchmarks' counting proxy.

tests/conformance/test_s3_requests.py counts at the client; here the same targets
are checked where a cloud bills them, at the server (the proxy in front of moto
names every S3 API call it relays).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from toil.common import Config

from benchmarks.servers import Proxy, counting_proxy
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import new_job
from tests.servers import Backend


@pytest.fixture(scope="module")
def proxy(s3_backend: Backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    upstream = s3_backend.storage_options["endpoint_url"]
    with counting_proxy(upstream, tmp_path_factory.mktemp("proxy")) as running:
        yield running


@pytest.fixture
def store(s3_backend: Backend, proxy: Proxy) -> Iterator[FsspecJobStore]:
    options = {**s3_backend.storage_options, "endpoint_url": proxy.endpoint}
    job_store = FsspecJobStore(s3_backend.new_url(), **options)
    job_store.initialize(Config())
    yield job_store
    job_store.destroy()


def counted(proxy: Proxy, call: Callable[[], object]) -> dict[str, int]:
    proxy.reset()
    call()
    return proxy.counts()


def test_each_everyday_operation_is_one_request(
    store: FsspecJobStore, proxy: Proxy, tmp_path: Path
) -> None:
    job = new_job(store)
    job_id = str(job.jobStoreID)
    local = tmp_path / "small.bin"
    local.write_bytes(b"s" * 4096)
    file_id = store.write_file(str(local))

    def read_stream() -> None:
        with store.read_file_stream(file_id) as f:
            f.read()

    def write_shared() -> None:
        with store.write_shared_file_stream("small") as f:
            f.write(b"shared")

    def read_shared() -> None:
        with store.read_shared_file_stream("small") as f:
            f.read()

    expected = [
        ("update_job", lambda: store.update_job(job), "PutObject"),
        ("load_job", lambda: store.load_job(job_id), "GetObject"),
        ("job_exists", lambda: store.job_exists(job_id), "HeadObject"),
        ("write_file", lambda: store.write_file(str(local)), "PutObject"),
        ("read_file", lambda: store.read_file(file_id, str(tmp_path / "copy")), "GetObject"),
        ("read_file_stream", read_stream, "GetObject"),
        ("file_exists", lambda: store.file_exists(file_id), "HeadObject"),
        ("get_file_size", lambda: store.get_file_size(file_id), "HeadObject"),
        ("write_shared_file_stream", write_shared, "PutObject"),
        ("read_shared_file_stream", read_shared, "GetObject"),
    ]
    for name, call, operation in expected:
        assert counted(proxy, call) == {operation: 1}, name


def test_bulk_operations_at_the_server(store: FsspecJobStore, proxy: Proxy) -> None:
    with store.batch():
        jobs = [new_job(store, f"j{i}") for i in range(30)]
    for _ in range(3):
        store.get_empty_file_store_id(str(jobs[0].jobStoreID), cleanup=True)
    assert counted(proxy, lambda: list(store.jobs())) == {"ListObjectsV2": 1, "GetObject": 30}
    assert counted(proxy, lambda: store.delete_job(str(jobs[0].jobStoreID))) == {
        "DeleteObject": 1, "ListObjectsV2": 1, "DeleteObjects": 1,
    }
    # destroy: the marker's HEAD, one listing, one bulk delete for the (<1,000)
    # objects, one listing of unfinished multipart uploads, the marker last.
    assert counted(proxy, store.destroy) == {
        "HeadObject": 1, "ListObjectsV2": 1, "DeleteObjects": 1, "ListMultipartUploads": 1,
        "DeleteObject": 1,
    }
