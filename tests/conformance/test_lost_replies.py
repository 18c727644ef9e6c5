"""A request whose answer is lost on the way back is sent again by the SDK; a store's
exclusive marker write that meets the marker its first attempt stored still creates
the store (each store's marker carries its own random ``store_id``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from toil.common import Config

from fsjobstore import layout
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._silent_proxy import SilentProxy
from tests.servers import Backend

pytestmark = pytest.mark.timeout(120)


def _through(backend: Backend, port: int) -> dict[str, Any]:
    """*backend*'s storage options, with its server reached through 127.0.0.1:*port*."""
    options = dict(backend.storage_options)
    if "connection_string" in options:
        options["connection_string"] = re.sub(
            r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", options["connection_string"])
    else:
        options["endpoint_url"] = f"http://127.0.0.1:{port}"
    return options


def _upstream(backend: Backend) -> tuple[str, int]:
    where = backend.storage_options.get("endpoint_url")
    if where is None:
        found = re.search(r"BlobEndpoint=([^;]+)", backend.storage_options["connection_string"])
        assert found is not None
        where = found.group(1)
    parts = urlsplit(where)
    return str(parts.hostname), int(parts.port or 0)


@pytest.fixture(params=["s3", "az", "gs"])
def proxied(request: pytest.FixtureRequest) -> Iterator[tuple[Backend, SilentProxy]]:
    backend: Backend = request.getfixturevalue(f"{request.param}_backend")
    with SilentProxy(_upstream(backend)) as proxy:
        yield backend, proxy


def test_a_marker_write_whose_answer_was_lost_still_creates_the_store(
    proxied: tuple[Backend, SilentProxy],
) -> None:
    backend, proxy = proxied
    url = backend.new_url()
    options = _through(backend, proxy.port)
    store = FsspecJobStore(url, **options)
    # The marker's write (S3, Azure: a PUT to it; GCS: a POST whose body names it),
    # not the read before it.
    proxy.lose_next_reply_to(
        re.compile(rb"^(PUT|POST) .*" + re.escape(layout.MARKER.encode()), re.M | re.S))
    store.initialize(Config())
    assert proxy.lost == 1
    resumed = FsspecJobStore(store.locator, **backend.storage_options)
    resumed.resume()
    assert resumed.config.workflowID == store.config.workflowID
    resumed.destroy()
