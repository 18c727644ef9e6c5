"""Fixtures for the integration tests: the backends workflows run on."""

from __future__ import annotations

import pytest

from tests.servers import Backend

#: Backends a Toil workflow runs on in these tests: every one workers can reach.
WORKFLOW_BACKENDS = ("file", "s3", "az", "gs", "sftp", "ftp")


@pytest.fixture(params=WORKFLOW_BACKENDS, ids=WORKFLOW_BACKENDS)
def workflow_backend(request: pytest.FixtureRequest) -> Backend:
    """A backend whose stores Toil worker processes can reach."""
    backend: Backend = request.getfixturevalue(f"{request.param}_backend")
    return backend


@pytest.fixture
def locator(workflow_backend: Backend) -> str:
    """A fresh ``fsspec:`` locator on *workflow_backend*."""
    return f"fsspec:{workflow_backend.new_url()}"


@pytest.fixture(params=["memory", "az", "sftp"])
def reached(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """A backend the URL plugin serves, reachable by plain URL as in a worker."""
    backend: Backend = request.getfixturevalue(f"{request.param}_backend")
    backend.reach_in_process(monkeypatch)
    return backend
