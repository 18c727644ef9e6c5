"""A missing bucket or container is named in the error, and never created.

fsjobstore lives inside a bucket the user owns.  Writing into one that does not
exist (a typo in the URL, or a bucket deleted under a running workflow) fails
with :class:`StoreNotFoundError` naming the bucket, not with an error about the
key that was being written.
"""

from __future__ import annotations

import uuid

import pytest
from toil.common import Config

from fsjobstore.errors import BackendError, StoreNotFoundError
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.view import open_view
from tests.servers import Backend

OBJECT_STORES = ["s3", "gs", "az"]
KIND = {"s3": "bucket", "gs": "bucket", "az": "container"}


def _backend(request: pytest.FixtureRequest, name: str) -> Backend:
    backend: Backend = request.getfixturevalue(f"{name}_backend")
    return backend


def _bucket_name() -> str:
    return f"fsjobstore-missing-{uuid.uuid4().hex[:12]}"


def _assert_names_bucket(exc: BaseException, name: str, bucket: str) -> None:
    message = str(exc)
    assert f"the {KIND[name]} {bucket!r} does not exist" in message
    assert "\n" not in message


@pytest.mark.parametrize("name", OBJECT_STORES)
def test_initialize_names_the_missing_bucket_and_creates_nothing(
    request: pytest.FixtureRequest, name: str
) -> None:
    backend = _backend(request, name)
    bucket = _bucket_name()
    store = FsspecJobStore(f"{name}://{bucket}/run1", **backend.storage_options)
    with pytest.raises(StoreNotFoundError) as caught:
        store.initialize(Config())
    _assert_names_bucket(caught.value, name, bucket)
    assert str(caught.value).startswith(f"{name}://{bucket}/run1: cannot write fsjobstore.json")
    assert not backend.filesystem().exists(bucket)


@pytest.mark.parametrize("name", OBJECT_STORES)
def test_writes_into_a_deleted_bucket_name_it(request: pytest.FixtureRequest, name: str) -> None:
    backend = _backend(request, name)
    bucket = _bucket_name()
    fs = backend.filesystem()
    fs.mkdir(bucket)
    store = FsspecJobStore(f"{name}://{bucket}/run1", **backend.storage_options)
    store.initialize(Config())
    fs.rm(bucket, recursive=True)
    if fs.exists(bucket):
        fs.rmdir(bucket)
    assert not fs.exists(bucket)

    with pytest.raises(StoreNotFoundError) as small, \
            store.write_shared_file_stream("config") as stream:
        stream.write(b"x")
    _assert_names_bucket(small.value, name, bucket)
    with pytest.raises(StoreNotFoundError) as whole:
        store.write_file(_local_file(request), None)
    _assert_names_bucket(whole.value, name, bucket)
    assert not fs.exists(bucket)


@pytest.mark.parametrize("name", OBJECT_STORES)
def test_inspecting_a_missing_bucket_names_it(request: pytest.FixtureRequest, name: str) -> None:
    backend = _backend(request, name)
    bucket = _bucket_name()
    with pytest.raises(StoreNotFoundError) as caught:
        open_view(f"{name}://{bucket}/run1", **backend.storage_options)
    _assert_names_bucket(caught.value, name, bucket)


def _local_file(request: pytest.FixtureRequest) -> str:
    path = request.getfixturevalue("tmp_path") / "input"
    path.write_bytes(b"content")
    return str(path)


def test_azure_errors_are_one_line_with_the_service_code(az_backend: Backend) -> None:
    """The Azure SDK's messages carry the XML response; errors keep one line and the code."""
    from azure.storage.blob import BlobServiceClient

    store = FsspecJobStore(az_backend.new_url(), **az_backend.storage_options)
    store.initialize(Config())
    try:
        with store.write_shared_file_stream("leased") as stream:
            stream.write(b"v1")
        container, _, prefix = store._storage.root.partition("/")
        service = BlobServiceClient.from_connection_string(
            az_backend.storage_options["connection_string"])
        blob = service.get_blob_client(container, f"{prefix}/shared/leased")
        lease = blob.acquire_lease()
        try:
            with pytest.raises(BackendError) as caught, \
                    store.write_shared_file_stream("leased") as stream:
                stream.write(b"v2")
        finally:
            lease.release()
        message = str(caught.value)
        assert "\n" not in message
        assert "(LeaseIdMissing)" in message
        assert "shared/leased" in message
        with store.read_shared_file_stream("leased") as read:
            assert read.read() == b"v1"
    finally:
        store.destroy()
