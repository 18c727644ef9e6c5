"""Resuming a store checks its marker: a store of a newer format, or a prefix whose
marker is gone, is refused rather than misread."""

from __future__ import annotations

import json
import pickle

import pytest
from toil.common import Config
from toil.jobStores.abstractJobStore import JobStoreExistsException, NoSuchJobStoreException

from fsjobstore import layout
from fsjobstore.errors import CorruptObjectError, NotAJobStoreError
from fsjobstore.jobstore import FsspecJobStore, UnfinishedStoreError
from fsjobstore.marker import make_marker
from tests.servers import Backend


def _again(store: FsspecJobStore, backend: Backend) -> FsspecJobStore:
    return FsspecJobStore(store.locator, **backend.storage_options)


def test_a_store_resumes_with_its_config(store: FsspecJobStore, backend: Backend) -> None:
    resumed = _again(store, backend)
    resumed.resume()
    assert resumed.config.workflowID == store.config.workflowID


def test_a_newer_format_is_refused(store: FsspecJobStore, backend: Backend) -> None:
    marker = {"format": layout.FORMAT_NAME, "version": layout.FORMAT_VERSION + 1}
    store.storage.write_bytes(layout.MARKER, json.dumps(marker).encode())
    with pytest.raises(CorruptObjectError, match="format version"):
        _again(store, backend).resume()


@pytest.mark.parametrize("config", [b"", b"\x80\x04garbage", pickle.dumps({"no": "config"})])
def test_a_config_that_does_not_read_is_named(
    store: FsspecJobStore, backend: Backend, config: bytes
) -> None:
    key = layout.shared_key("config.pickle")
    store.storage.write_bytes(key, config)
    with pytest.raises(CorruptObjectError, match=f"{key}: .*(unpickle|Toil config)"):
        _again(store, backend).resume()


def test_a_store_whose_marker_is_gone_is_refused(store: FsspecJobStore, backend: Backend) -> None:
    marker = store.storage.read_bytes(layout.MARKER)
    store.storage.delete(layout.MARKER)
    try:
        with pytest.raises(NotAJobStoreError, match=r"no fsjobstore\.json marker"):
            _again(store, backend).resume()
    finally:
        store.storage.write_bytes(layout.MARKER, marker)  # for the fixture's destroy()


def test_nothing_there_is_no_job_store(backend: Backend) -> None:
    with pytest.raises(NoSuchJobStoreException):
        FsspecJobStore(backend.new_url(), **backend.storage_options).resume()


def test_an_interrupted_initialize_is_named_and_toil_clean_removes_it(backend: Backend) -> None:
    """A leader killed between the marker and Toil's config: --restart says what
    happened, and `toil clean` (resume, then destroy even if that failed) removes it."""
    url = backend.new_url()
    FsspecJobStore(url, **backend.storage_options).storage.write_bytes(
        layout.MARKER, make_marker())
    store = FsspecJobStore(url, **backend.storage_options)
    with pytest.raises(UnfinishedStoreError, match="toil clean fsspec:") as refused:
        store.resume()
    assert isinstance(refused.value, NoSuchJobStoreException)  # what `toil clean` expects
    assert pickle.loads(pickle.dumps(refused.value)).args == refused.value.args
    with pytest.raises(JobStoreExistsException):
        FsspecJobStore(url, **backend.storage_options).initialize(Config())
    store.destroy()
    store = FsspecJobStore(url, **backend.storage_options)
    store.initialize(Config())
    store.destroy()


@pytest.mark.parametrize("found", ["its own marker", "another leader's"])
def test_an_exclusive_marker_write_sent_again_finds_its_own_marker(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, found: str
) -> None:
    """The Azure SDK sends a write again when its answer was lost, and then
    finds the marker the first attempt stored: that store is this call's."""
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    storage = store.storage
    real = storage.write_bytes

    def answer_lost(key: str, data: bytes, *, exclusive: bool = False) -> None:
        if key == layout.MARKER and exclusive:
            real(key, data if found == "its own marker" else make_marker())
            monkeypatch.setattr(storage, "write_bytes", real)
        real(key, data, exclusive=exclusive)

    monkeypatch.setattr(storage, "write_bytes", answer_lost)
    if found == "its own marker":
        store.initialize(Config())
        resumed = FsspecJobStore(store.locator, **backend.storage_options)
        resumed.resume()
        assert resumed.config.workflowID == store.config.workflowID
    else:
        with pytest.raises(JobStoreExistsException):
            store.initialize(Config())
        assert not storage.exists(layout.shared_key("config.pickle"))
    store.destroy()
