"""initialize() refuses a store inside another store's own prefixes (the outer
store's destroy() would delete it), at one request per path component named
like one of them, and none elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from fsspec.asyn import sync
from toil.common import Config

from fsjobstore.errors import BackendError, NotAJobStoreError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._counting import RequestCounter
from tests.conformance._helpers import all_keys
from tests.servers import Backend


def _initialize_counted(store: FsspecJobStore) -> int:
    with RequestCounter(store.storage.fs) as counter:
        store.initialize(Config())
    return counter.total


def test_a_name_of_a_stores_prefix_costs_one_request_on_s3(s3_backend: Backend) -> None:
    base = s3_backend.new_url()
    plain = FsspecJobStore(f"{base}/run1", **s3_backend.storage_options)
    named = FsspecJobStore(f"{base}/jobs/run1", **s3_backend.storage_options)
    assert _initialize_counted(named) == _initialize_counted(plain) + 1
    for store in (plain, named):
        store.destroy()


def _refused_inside(backend: Backend, inside: str) -> str:
    """Make a store, refuse one at *inside* below it (nothing written); its URL."""
    outer_url = backend.new_url()
    outer = FsspecJobStore(outer_url, **backend.storage_options)
    outer.initialize(Config())
    inner = FsspecJobStore(f"{outer_url}/{inside}", **backend.storage_options)
    with pytest.raises(NotAJobStoreError, match=f"lies inside the job store at {outer_url}"):
        inner.initialize(Config())
    assert all_keys(inner) == []
    outer.destroy()
    return outer_url


@pytest.mark.parametrize("backend", ["file"], indirect=True)
def test_a_doubled_slash_does_not_hide_the_outer_store(backend: Backend) -> None:
    _refused_inside(backend, "/files/run")


def _parent_answers(s3_backend: Backend, monkeypatch: pytest.MonkeyPatch,
                    error: Exception) -> tuple[FsspecJobStore, list[str]]:
    """A store at <base>/jobs/run1 whose requests about <base>'s marker raise
    *error*; the requests that did."""
    base = s3_backend.new_url()
    store = FsspecJobStore(f"{base}/jobs/run1", **s3_backend.storage_options)
    fs = store.storage.fs
    outer_key = f"{base.removeprefix('s3://').partition('/')[2]}/fsjobstore.json"
    real = fs._call_s3
    refused: list[str] = []

    async def scoped(method: str, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("Key") == outer_key or kwargs.get("Prefix", "").startswith(outer_key):
            refused.append(method)
            raise error
        return await real(method, *args, **kwargs)

    monkeypatch.setattr(fs, "_call_s3", scoped)
    monkeypatch.setattr(fs, "call_s3", lambda m, *a, **k: sync(fs.loop, scoped, m, *a, **k))
    return store, refused


def test_a_parent_the_credentials_cannot_read_is_no_store(
    s3_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Credentials scoped to bucket/<base>/jobs/*: a HEAD of the parent's marker is a
    # 403, which s3fs raises as PermissionError from its calls.
    store, refused = _parent_answers(
        s3_backend, monkeypatch, PermissionError("injected: Access Denied"))
    store.initialize(Config())
    assert refused
    store.destroy()


def test_a_parent_that_cannot_be_checked_stops_initialize(
    s3_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any other failure (a 500, a dropped connection) leaves it unknown whether a
    # store is there: initialize writes nothing, rather than nest one in it.
    store, refused = _parent_answers(
        s3_backend, monkeypatch, ConnectionResetError("injected: connection reset"))
    with pytest.raises(BackendError, match=r"check fsjobstore\.json failed"):
        store.initialize(Config())
    assert refused
    monkeypatch.undo()
    assert all_keys(store) == []


@pytest.mark.parametrize("inside", ["files", "logs", "owned", "shared/deeper"])
def test_a_store_inside_another_stores_prefix_is_refused(backend: Backend, inside: str) -> None:
    """The outer store's destroy() would delete it."""
    outer_url = _refused_inside(backend, inside)
    beside = FsspecJobStore(f"{outer_url}-{inside.replace('/', '-')}/logs",
                            **backend.storage_options)
    beside.initialize(Config())  # a prefix named like one of a store's, in no store
    beside.destroy()


@pytest.mark.parametrize("backend", ["gs", "az"], indirect=True)
def test_a_parent_the_credentials_cannot_read_is_no_store_on_gcs_and_azure(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The 403 as each SDK raises it: gcsfs an OSError("Forbidden: ..."), the Azure
    # SDK an HttpResponseError with status_code 403.
    from azure.core.exceptions import HttpResponseError
    from azure.storage.blob.aio import BlobClient

    base = backend.new_url()
    store = FsspecJobStore(f"{base}/logs/run1", **backend.storage_options)
    outer_marker = f"{store.storage.root.rsplit('/', 2)[0]}/fsjobstore.json"
    fs = store.storage.fs
    refused: list[str] = []
    if backend.name == "gs":
        real_get = fs._get_object

        async def get_object(path: str, *args: Any, **kwargs: Any) -> Any:
            if path.rstrip("/") == outer_marker:
                refused.append(path)
                raise OSError(f"Forbidden: {path}\nnot allowed (injected)")
            return await real_get(path, *args, **kwargs)

        monkeypatch.setattr(fs, "_get_object", get_object)
    else:
        real_properties = BlobClient.get_blob_properties

        async def properties(client: BlobClient, *args: Any, **kwargs: Any) -> Any:
            if f"{client.container_name}/{client.blob_name}" == outer_marker:
                refused.append(outer_marker)
                error = HttpResponseError(message="This request is not authorized (injected)")
                error.status_code = 403
                raise error
            return await real_properties(client, *args, **kwargs)

        monkeypatch.setattr(BlobClient, "get_blob_properties", properties)
    store.initialize(Config())
    assert refused
    store.destroy()
