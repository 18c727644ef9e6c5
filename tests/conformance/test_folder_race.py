"""destroy on GCS and Azure when a folder object it listed inside the store's
prefixes is gone before its delete (another destroy or `toil clean` racing): no
error, as for keys already gone (gcsfs's rm raises FileNotFoundError when it
deleted none of the paths it was given)."""
from __future__ import annotations

import pytest
from toil.common import Config

from fsjobstore.jobstore import FsspecJobStore
from tests.servers import Backend

pytestmark = pytest.mark.parametrize("backend", ["gs", "az"], indirect=True)


def test_a_folder_gone_before_its_delete(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = backend.new_url()
    fs = backend.filesystem()
    store = FsspecJobStore(url, **backend.storage_options)
    store.initialize(Config())
    folder = f"{fs._strip_protocol(url)}/jobs/"
    fs.pipe_file(folder, b"")
    storage = store.storage
    real = storage.folders_and_keys_at_root

    def listed_then_gone() -> tuple[list[str], list[str]]:
        found = real()
        assert "jobs/" in found[0]
        fs.rm_file(folder)  # the other destroy, first
        return found

    monkeypatch.setattr(storage, "folders_and_keys_at_root", listed_then_gone)
    store.destroy()
    assert not store.storage.any_object()
