"""Fixtures for fsjobstore's own conformance suite: a fresh job store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from toil.common import Config

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._remotes import NAMES, Remote
from tests.conformance._silent_proxy import SilentProxy, upstream
from tests.servers import Backend


def open_store(backend: Backend, url: str | None = None) -> FsspecJobStore:
    return FsspecJobStore(url or backend.new_url(), **backend.storage_options)


def initialized(
    backend: Backend, options: dict[str, Any] | None = None
) -> Iterator[FsspecJobStore]:
    """A fresh, initialized job store on *backend* (opened with *options* instead of
    the backend's own, if given), destroyed when resumed."""
    job_store = (open_store(backend) if options is None
                 else FsspecJobStore(backend.new_url(), **options))
    config = Config()
    job_store.initialize(config)
    yield job_store
    job_store.destroy()
    # Toil's Config() makes an empty message-bus file in the temporary directory.
    Path(config.write_messages).unlink(missing_ok=True)


@pytest.fixture
def store(backend: Backend) -> Iterator[FsspecJobStore]:
    """An initialized job store on the parametrized backend, destroyed afterwards."""
    yield from initialized(backend)


@pytest.fixture
def s3_store(s3_backend: Backend) -> Iterator[FsspecJobStore]:
    """An initialized job store on S3 (moto), destroyed afterwards."""
    yield from initialized(s3_backend)


@pytest.fixture
def sftp_store(sftp_backend: Backend) -> Iterator[FsspecJobStore]:
    """An initialized job store on SFTP (OpenSSH), destroyed afterwards."""
    yield from initialized(sftp_backend)


@pytest.fixture(params=sorted(NAMES))
def remote(request: pytest.FixtureRequest) -> Iterator[Remote]:
    """An initialized job store on GCS (fake-gcs-server) or Azure (Azurite)."""
    backend: Backend = request.getfixturevalue(f"{request.param}_backend")
    for store in initialized(backend):
        yield Remote(backend, store, NAMES[request.param])


@pytest.fixture
def proxied(request: pytest.FixtureRequest) -> Iterator[tuple[Backend, SilentProxy]]:
    """The backend named by the (indirect) parameter, and a proxy in front of its server."""
    backend: Backend = request.getfixturevalue(f"{request.param}_backend")
    with SilentProxy(upstream(backend)) as proxy:
        yield backend, proxy
