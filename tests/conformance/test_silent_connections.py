"""A connection that goes silent (dropped by a NAT or a firewall: no answer, no
close) fails and is replaced, instead of blocking a call forever: gcsfs sets no
timeout and sshfs no keepalive unless told to (``backends.default_options``)."""

from __future__ import annotations

import sys
import uuid
from typing import Any
from urllib.parse import ParseResult, urlparse, urlsplit, urlunsplit

import pytest
from fsspec.asyn import sync
from fsspec.core import url_to_fs

from fsjobstore import backends
from fsjobstore.errors import BackendError
from fsjobstore.storage import Storage
from fsjobstore.toil_url import FsspecURLAccess
from tests.conformance._silent_proxy import SilentProxy
from tests.servers import Backend

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("proxied", ["gs"], indirect=True)
def test_a_silent_gcs_connection_times_out_and_the_request_is_retried(
    proxied: tuple[Backend, SilentProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, proxy = proxied
    monkeypatch.setattr(backends, "GCS_SOCK_READ", 4)  # a loaded fake-gcs-server answers sooner
    options = {**backend.storage_options, "endpoint_url": f"http://127.0.0.1:{proxy.port}"}
    storage = Storage(backend.new_url(), options)
    storage.write_bytes("shared/a", b"first")  # a connection, kept alive for the next
    proxy.silence_next()
    storage.write_bytes("shared/a", b"second")  # its answer never comes
    assert proxy.silenced == 1
    assert storage.read_bytes("shared/a") == b"second"


@pytest.mark.parametrize("proxied", ["sftp"], indirect=True)
def test_a_silent_sftp_connection_is_closed_and_replaced(
    proxied: tuple[Backend, SilentProxy], monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, proxy = proxied
    monkeypatch.setattr(backends, "SFTP_KEEPALIVE",
                        {"keepalive_interval": 4, "keepalive_count_max": 1})
    parts = urlsplit(backend.base_url)
    netloc = f"{parts.username}@127.0.0.1:{proxy.port}"
    url = urlunsplit((parts.scheme, netloc, f"{parts.path}/{uuid.uuid4().hex}", "", ""))
    storage = Storage(url, backend.storage_options)
    storage.write_bytes("shared/a", b"first")
    proxy.silence_next()
    # Unanswered keepalives close the connection: the call fails, not hangs.
    with pytest.raises(BackendError):
        storage.read_bytes("shared/a")
    assert proxy.silenced == 1
    # The next call reconnects (sshfs alone never would).
    assert storage.read_bytes("shared/a") == b"first"
    storage.write_bytes("shared/a", b"second")
    assert storage.read_bytes("shared/a") == b"second"


def test_chosen_timeouts_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec.config

    # As when a process looked up "ssh" before "sftp" (see test_url_errors.py).
    monkeypatch.setattr(fsspec.get_filesystem_class("sftp"), "protocol", "ssh")
    assert backends.default_options("sftp", {"keepalive_interval": 5}) == {
        "keepalive_interval": 5, "keepalive_count_max": 3}
    monkeypatch.setitem(fsspec.config.conf, "ssh", {"keepalive_count_max": 9})
    assert backends.default_options("ssh", {}) == {"keepalive_interval": 30}
    assert backends.default_options("gs", {"requests_timeout": 7}) == {"requests_timeout": 7}
    assert backends.default_options("s3", {}) == {}
    # fsspec applies a class's configuration under each of its names.
    monkeypatch.setitem(fsspec.config.conf, "gcs", {"requests_timeout": 600})
    assert backends.default_options("gs", {}) == {}


def test_without_gcsfs_installed_nothing_is_added(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # an import of it fails
    assert backends.default_options("gs", {"token": "anon"}) == {"token": "anon"}


def test_a_closed_sftp_connection_is_replaced_for_the_store_and_urls(
    sftp_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    sftp_backend.reach_in_process(monkeypatch)  # plain URLs reach the server, as in a worker
    url = sftp_backend.new_url()
    storage = Storage(url)
    storage.write_bytes("shared/a", b"first")
    file_url = urlparse(f"{url}/shared/a")
    assert FsspecURLAccess._url_exists(file_url)
    for fs in {id(storage.fs): storage.fs, id(fsspec_cached(file_url)): fsspec_cached(file_url)
               }.values():
        fs._client.close()  # the server went away, say
        sync(fs.loop, fs._client.wait_closed)
    assert storage.read_bytes("shared/a") == b"first"
    assert FsspecURLAccess._url_exists(file_url)


def fsspec_cached(url: ParseResult) -> Any:
    """The filesystem the URL plugin gets for *url* (fsspec's cached instance)."""
    fs, _ = url_to_fs(url.geturl(), **backends.default_options(url.scheme, {}))
    return fs
