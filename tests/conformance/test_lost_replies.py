"""A request whose answer is lost on the way back (the server acted on it) is sent
again by the SDK: every write and delete of the store still ends as it would have, with
no error.  A store's exclusive marker write that meets the marker its first attempt
stored still creates the store (each store's marker carries its own random ``store_id``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from toil.common import Config
from toil.job import JobDescription

from fsjobstore import _storage_writes, layout
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import REQUIREMENTS
from tests.conformance._silent_proxy import SilentProxy, through
from tests.conformance.conftest import initialized
from tests.servers import Backend

pytestmark = pytest.mark.timeout(120)


#: The backends whose SDKs send a request again when its answer is lost.
RETRYING = ["s3", "az", "gs"]


@pytest.fixture
def proxied_store(proxied: tuple[Backend, SilentProxy]) -> Iterator[FsspecJobStore]:
    """A new store on *proxied*'s backend, reached through its proxy; destroyed after."""
    backend, proxy = proxied
    yield from initialized(backend, through(backend, proxy.port))


@pytest.mark.parametrize("proxied", RETRYING, indirect=True)
def test_a_marker_write_whose_answer_was_lost_still_creates_the_store(
    proxied: tuple[Backend, SilentProxy],
) -> None:
    backend, proxy = proxied
    url = backend.new_url()
    options = through(backend, proxy.port)
    store = FsspecJobStore(url, **options)
    # The marker's write (S3, Azure: a PUT to it; GCS: a POST whose body names it),
    # not the read before it.
    proxy.lose_next_reply_to(
        re.compile(rb"^(PUT|POST) .*" + re.escape(layout.MARKER.encode()), re.M | re.S))
    store.initialize(Config())
    assert proxy.lost == 1
    resumed = FsspecJobStore(store.locator, **backend.storage_options)
    resumed.resume()
    assert resumed.config.workflowID == store.config.workflowID
    resumed.destroy()



def _read_logs(store: FsspecJobStore) -> list[bytes]:
    seen: list[bytes] = []
    store.read_logs(lambda stream: seen.append(stream.read()))
    return seen


def _lose_next(proxy: SilentProxy, methods: str) -> None:
    proxy.lose_next_reply_to(re.compile(rb"^(" + methods.encode() + rb") ", re.M))


@pytest.mark.parametrize("proxied", RETRYING, indirect=True)
@pytest.mark.parametrize("operation", [
    "create_job", "update_job", "delete_job", "update_file", "delete_file",
    "write_shared_file", "write_logs", "read_logs"])
def test_an_operation_whose_answer_was_lost_ends_as_it_would_have(
    proxied: tuple[Backend, SilentProxy], proxied_store: FsspecJobStore, operation: str,
    tmp_path: Path,
) -> None:
    proxy, store = proxied[1], proxied_store
    job = JobDescription(jobName="lost", requirements=dict(REQUIREMENTS))
    store.assign_job_id(job)
    source = tmp_path / "source"
    source.write_bytes(b"old")
    file_id = store.write_file(str(source))
    store.write_logs("first")
    if operation != "create_job":
        store.create_job(job)
    writes, deletes = "PUT|POST", "DELETE|POST"  # bulk deletes: S3 and GCS POST a batch
    if operation == "create_job":
        _lose_next(proxy, writes)
        store.create_job(job)
        assert store.job_exists(job.jobStoreID)
    elif operation == "update_job":
        job.remainingTryCount = 7
        _lose_next(proxy, writes)
        store.update_job(job)
        assert store.load_job(job.jobStoreID).remainingTryCount == 7
    elif operation == "delete_job":
        _lose_next(proxy, deletes)
        store.delete_job(job.jobStoreID)
        assert not store.job_exists(job.jobStoreID)
    elif operation == "update_file":
        source.write_bytes(b"new")
        _lose_next(proxy, writes)
        store.update_file(file_id, str(source))
        with store.read_file_stream(file_id) as stream:
            assert stream.read() == b"new"
    elif operation == "delete_file":
        _lose_next(proxy, deletes)
        store.delete_file(file_id)
        assert not store.file_exists(file_id)
    elif operation == "write_shared_file":
        _lose_next(proxy, writes)
        with store.write_shared_file_stream("shared") as stream:
            stream.write(b"shared")
        with store.read_shared_file_stream("shared") as stream:
            assert stream.read() == b"shared"
    elif operation == "write_logs":
        _lose_next(proxy, writes)
        store.write_logs("second")
        assert sorted(_read_logs(store)) == [b"first", b"second"]
    else:  # read_logs: the lost answer is the delivery marker's
        _lose_next(proxy, writes)
        assert _read_logs(store) == [b"first"]
        assert _read_logs(store) == []
    assert proxy.lost == 1


#: The request that makes a large object appear: S3 CompleteMultipartUpload, Azure Put
#: Block List.  (GCS is left out: fake-gcs-server appends a resent chunk of a
#: resumable upload again, where GCS ignores the bytes it already has.)
_COMMITS = {"s3": rb"^POST [^\r\n]*uploadId=", "az": rb"^PUT [^\r\n]*comp=blocklist"}


@pytest.mark.parametrize("proxied", list(_COMMITS), indirect=True)
@pytest.mark.parametrize("how", ["write_file", "write_file_stream"])
def test_a_large_file_whose_commit_answer_was_lost_is_stored_whole(
    proxied: tuple[Backend, SilentProxy], proxied_store: FsspecJobStore, how: str,
    tmp_path: Path,
) -> None:
    (backend, proxy), store = proxied, proxied_store
    data = os.urandom(_storage_writes._PART_SIZE * 2 + 5)
    proxy.lose_next_reply_to(re.compile(_COMMITS[backend.name], re.M))
    if how == "write_file":
        source = tmp_path / "large"
        source.write_bytes(data)
        file_id = store.write_file(str(source))
    else:
        with store.write_file_stream() as (stream, file_id):
            stream.write(data)
    assert proxy.lost == 1
    with store.read_file_stream(file_id) as read:
        assert read.read() == data
