"""Resuming a store checks its marker: a store of a newer format, or a prefix whose
marker is gone, is refused rather than misread."""

from __future__ import annotations

import json

import pytest
from toil.jobStores.abstractJobStore import NoSuchJobStoreException

from fsjobstore import layout
from fsjobstore.errors import CorruptObjectError, NotAJobStoreError
from fsjobstore.jobstore import FsspecJobStore
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
