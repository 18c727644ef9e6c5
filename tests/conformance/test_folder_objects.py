"""An empty "folder" object at or below a store's prefix (``run1/``, as the S3
console's "Create folder", Azure Storage Explorer and the GCS console make) is
not a file: the prefix is empty, a store can live there, and its tools see only
the store's own keys."""

from __future__ import annotations

import pytest
from toil.common import Config

from fsjobstore import maintenance
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.view import open_view
from tests.conformance._helpers import all_keys, new_job
from tests.servers import Backend

pytestmark = pytest.mark.parametrize("backend", ["s3", "gs", "az"], indirect=True)


def test_a_store_lives_in_a_folder_made_in_the_console(backend: Backend) -> None:
    url = backend.new_url()
    fs = backend.filesystem()
    folder = f"{fs._strip_protocol(url)}/"
    fs.pipe_file(folder, b"")
    store = FsspecJobStore(url, **backend.storage_options)
    store.initialize(Config())
    fs.pipe_file(f"{folder}jobs/", b"")  # a folder made inside the store, too
    job = new_job(store)
    assert [j.jobStoreID for j in store.jobs()] == [job.jobStoreID]
    view = open_view(url, **backend.storage_options)
    assert view.summary()["categories"]["jobs"]["count"] == 1
    assert [p.kind for p in maintenance.verify(view.storage, view.snapshot)] == []
    assert all(not key.endswith("/") and key for key in all_keys(store))
    store.destroy()
    fs.invalidate_cache()
    assert fs.cat_file(folder) == b""  # the user's folder is theirs
    assert not fs.exists(f"{folder}jobs/")  # one inside the store's prefixes went with it
    again = FsspecJobStore(url, **backend.storage_options)
    again.initialize(Config())  # the prefix is empty again
    again.destroy()
