"""GCS public URLs without a signing key in the filesystem's credentials.

gcsfs can only sign with service-account credentials. An anonymous store (as
against fake-gcs-server, or a public bucket) hands out the object's own URL:
what it reads, anyone reads. A store on a user token says how to sign.
"""

from __future__ import annotations

import urllib.request

import pytest
from toil.common import Config

from fsjobstore.errors import UnsupportedError
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


@pytest.mark.parametrize("backend", ["gs"], indirect=True)
def test_a_user_token_store_says_how_to_sign(backend: Backend) -> None:
    from google.oauth2.credentials import Credentials

    options = {**backend.storage_options, "token": Credentials("a-user-token")}
    store = FsspecJobStore(backend.new_url(), **options)  # fake-gcs-server takes any token
    store.initialize(Config())
    try:
        with store.write_file_stream(basename="private.txt") as (f, file_id):
            f.write(b"private bytes")
        with pytest.raises(UnsupportedError, match=r"sign_options=\{'credentials'") as caught:
            store.get_public_url(file_id)
        assert "a-user-token" not in str(caught.value)
    finally:
        store.destroy()
