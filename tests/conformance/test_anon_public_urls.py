"""Public URLs from an anonymous GCS filesystem: what it reads, anyone reads.

gcsfs can only sign with service-account credentials; an anonymous store (as
against fake-gcs-server, or a public bucket) hands out the object's own URL.
"""

from __future__ import annotations

import urllib.request

import pytest
from toil.common import Config

from fsjobstore.jobstore import FsspecJobStore
from tests.servers import Backend


@pytest.mark.parametrize("backend", ["gs"], indirect=True)
def test_anonymous_store_hands_out_its_objects_url(backend: Backend) -> None:
    assert backend.storage_options["token"] == "anon"
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)  # no sign_options
    store.initialize(Config())
    try:
        with store.write_file_stream(basename="public.txt") as (f, file_id):
            f.write(b"public bytes")
        with store.write_shared_file_stream("shared.txt") as f:
            f.write(b"shared bytes")
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for url, content in ((store.get_public_url(file_id), b"public bytes"),
                             (store.get_shared_public_url("shared.txt"), b"shared bytes")):
            assert url.startswith(backend.storage_options["endpoint_url"] + "/")
            with opener.open(url, timeout=30) as response:
                assert response.read() == content
    finally:
        store.destroy()
