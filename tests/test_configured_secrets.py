"""Credentials from fsspec's configuration (``FSSPEC_SFTP_CLIENT_KEYS``, how Toil's
workers get an SFTP key) are kept out of errors as given ones are: asyncssh reads
a string in ``client_keys`` as a file name, and its error quotes it."""

from __future__ import annotations

from urllib.parse import urlparse

import fsspec.config
import pytest

from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.toil_url import FsspecURLAccess

KEY = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQy5CONFIGMARK"


@pytest.fixture
def configured_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(fsspec.config.conf, "sftp", {"client_keys": [KEY]})


@pytest.mark.usefixtures("configured_key")
def test_a_configured_key_is_kept_out_of_a_store_error() -> None:
    with pytest.raises(OSError) as caught:
        FsspecJobStore("sftp://me@127.0.0.1:1/run1")
    assert "No such file" in str(caught.value)  # the key was read as a path
    assert KEY not in str(caught.value)


@pytest.mark.usefixtures("configured_key")
def test_a_configured_key_is_kept_out_of_a_url_error() -> None:
    with pytest.raises(OSError) as caught:
        FsspecURLAccess._url_exists(urlparse("sftp://me@127.0.0.1:1/in.txt"))
    assert "No such file" in str(caught.value)
    assert KEY not in str(caught.value)
