"""Public URLs: expiring signed URLs where the backend has them, a clear error elsewhere."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
from toil.common import Config

from fsjobstore.errors import UnsupportedError
from fsjobstore.jobstore import FsspecJobStore
from tests.gcs_signing import sign_options
from tests.servers import Backend


@pytest.fixture
def signing_store(backend: Backend) -> Iterator[FsspecJobStore]:
    store = FsspecJobStore(
        backend.new_url(), sign_options=sign_options(backend.name), **backend.storage_options
    )
    store.initialize(Config())
    yield store
    store.destroy()


def test_public_url_reads_the_file(signing_store: FsspecJobStore, backend: Backend) -> None:
    with signing_store.write_file_stream(basename="public.txt") as (f, file_id):
        f.write(b"public bytes")
    if backend.name in ("sftp", "ftp"):
        with pytest.raises(UnsupportedError, match="no signed URLs"):
            signing_store.get_public_url(file_id)
        return
    url = signing_store.get_public_url(file_id)
    expected_scheme = {"file": "file", "memory": "data"}.get(backend.name, "http")
    assert url.startswith(expected_scheme)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=30) as response:
        assert response.read() == b"public bytes"
