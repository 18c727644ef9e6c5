"""Toil's URL access through fsspec: a missing input is named by its URL."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import urlparse

import fsspec
import pytest

from fsjobstore._redact import redact_url
from fsjobstore.errors import ObjectNotFoundError
from fsjobstore.toil_url import FsspecURLAccess
from tests.servers import Backend


@pytest.mark.parametrize("action", ["open", "read", "list"])
def test_a_missing_url_is_named_in_the_error(action: str) -> None:
    # sshfs says only "No such file or directory", and Toil adds a hint about
    # URL schemes: the user needs to see which input was missing.
    url = urlparse("memory://fsjobstore-url-errors/no/such/input.txt")
    with pytest.raises(FileNotFoundError) as caught:
        if action == "open":
            FsspecURLAccess._open_url(url)
        elif action == "read":
            with open("/dev/null", "wb") as sink:
                FsspecURLAccess._read_from_url(url, sink)
        else:
            FsspecURLAccess._list_url(url)
    assert caught.value.filename == url.geturl()
    assert str(caught.value) == f"[Errno 2] No such file or directory: '{url.geturl()}'"


def test_an_error_of_the_store_being_written_is_not_blamed_on_the_url() -> None:
    # A job store's missing key is a FileNotFoundError too; it stays the store's.
    url = urlparse("memory://fsjobstore-url-errors/present.txt")
    fsspec.filesystem("memory").pipe_file(url.geturl(), b"data")

    class Gone(io.BytesIO):
        def write(self, data: object) -> int:
            raise ObjectNotFoundError("s3://bucket/run: files/x/y does not exist (write)")

    with pytest.raises(ObjectNotFoundError, match="files/x/y does not exist"):
        FsspecURLAccess._read_from_url(url, Gone())


def test_reading_a_directory_is_refused_as_one(reached: Backend) -> None:
    # An import of it: sshfs said only "SFTPFailure: Failure", memory and az "No
    # such file".  (Opening one succeeds on az and sftp; the first read fails.)
    folder = reached.new_url()
    fs = reached.filesystem()
    fs.pipe_file(fs._strip_protocol(f"{folder}/dir/file.txt"), b"data")
    url = urlparse(f"{folder}/dir")
    with pytest.raises(IsADirectoryError) as caught, open("/dev/null", "wb") as sink:
        FsspecURLAccess._read_from_url(url, sink)
    assert caught.value.filename == redact_url(url.geturl())


def test_listing_a_file_is_refused_as_not_a_directory(reached: Backend) -> None:
    # Object stores list a file as itself, SFTP cannot list it; Toil's own handler raises.
    folder = reached.new_url()
    fs = reached.filesystem()
    fs.makedirs(fs._strip_protocol(folder), exist_ok=True)
    fs.pipe_file(fs._strip_protocol(f"{folder}/file.txt"), b"data")
    url = urlparse(f"{folder}/file.txt")
    with pytest.raises(NotADirectoryError) as caught:
        FsspecURLAccess._list_url(url)
    assert caught.value.filename == redact_url(url.geturl())
    assert FsspecURLAccess._list_url(urlparse(folder)) == ["file.txt"]


def test_a_url_with_an_empty_host_is_not_read_as_a_local_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Toil hands the plugin ``memory:/x`` for ``memory:///x``: fsspec would read
    # that as a relative local path, and write into the working directory.
    monkeypatch.chdir(tmp_path)
    url = urlparse("memory:///fsjobstore-url-errors/empty-host/out.txt")
    FsspecURLAccess._write_to_url(io.BytesIO(b"exported"), url)
    assert fsspec.filesystem("memory").cat_file(
        "/fsjobstore-url-errors/empty-host/out.txt") == b"exported"
    sink = io.BytesIO()
    FsspecURLAccess._read_from_url(url, sink)
    assert sink.getvalue() == b"exported"
    with pytest.raises(ValueError, match=r"memory:relative\.txt: fsspec reads it as a local path"):
        FsspecURLAccess._write_to_url(io.BytesIO(b"x"), urlparse("memory:relative.txt"))
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_server_is_named_without_its_password() -> None:
    url = urlparse("sftp://someone:hunter2@127.0.0.1:1/in.txt")  # nothing listens on port 1
    with pytest.raises(ConnectionRefusedError) as caught:
        FsspecURLAccess._url_exists(url)
    assert "cannot open sftp://someone:***@127.0.0.1:1/in.txt" in str(caught.value)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize("looked_up_first", ["sftp", "ssh"])
def test_a_missing_key_file_is_named_not_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, looked_up_first: str
) -> None:
    """The key file configured for ``sftp`` is used, also where the process looked up
    ``ssh`` first: sshfs's class then answers to ``ssh`` only, and fsspec applies the
    configuration of that name alone."""
    import fsspec.config

    monkeypatch.setattr(fsspec.get_filesystem_class("sftp"), "protocol", looked_up_first)

    key = tmp_path / "no-such-key"
    monkeypatch.setitem(fsspec.config.conf, "sftp", {"client_keys": [str(key)]})
    with pytest.raises(FileNotFoundError) as caught:
        FsspecURLAccess._url_exists(urlparse("sftp://someone@127.0.0.1:1/in.txt"))
    assert str(key) in str(caught.value)
    assert "cannot open sftp://someone@127.0.0.1:1/in.txt" in str(caught.value)


@pytest.mark.parametrize("looked_up_first", ["sftp", "ssh"])
def test_a_configured_user_and_port_give_way_to_the_urls(
    monkeypatch: pytest.MonkeyPatch, looked_up_first: str
) -> None:
    """As where fsspec applies its configuration itself: the URL's own user and port
    win over configured ones (passed along as arguments, they were a ``TypeError``)."""
    import fsspec.config

    from fsjobstore.errors import FsJobStoreError
    from fsjobstore.storage import Storage

    monkeypatch.setattr(fsspec.get_filesystem_class("sftp"), "protocol", looked_up_first)
    monkeypatch.setitem(fsspec.config.conf, "sftp", {"username": "alice", "port": 2})
    url = "sftp://bob@127.0.0.1:1/in.txt"  # nothing listens on port 1
    with pytest.raises(ConnectionRefusedError) as caught:
        FsspecURLAccess._url_exists(urlparse(url))
    assert f"cannot open {url}" in str(caught.value)
    with pytest.raises(FsJobStoreError) as refused:
        Storage(url)
    assert "ConnectionRefusedError" in str(refused.value), refused.value


@pytest.mark.parametrize("reached", ["az"], indirect=True)
def test_an_export_into_a_missing_container_is_one_line(reached: Backend) -> None:
    # The Azure SDK's error carries the request ID and the whole XML response.
    url = urlparse("az://no-such-container-fsjobstore/out/result.txt")
    with pytest.raises(OSError, match=r"^cannot write az://no-such-container-fsjobstore/out/"
                                      r"result\.txt: \w+: ") as caught:
        FsspecURLAccess._write_to_url(io.BytesIO(b"data"), url)
    assert "\n" not in str(caught.value)
    assert "ContainerNotFound" in str(caught.value)
