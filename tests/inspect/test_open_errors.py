"""Opening a store for inspection: Toil's locator form, and URLs that name a file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import fsspec
import pytest

from fsjobstore import __version__, layout
from fsjobstore.cli import main
from fsjobstore.errors import InvalidLocatorError, StoreNotFoundError
from fsjobstore.view import open_view
from tests.servers import Backend


@pytest.mark.parametrize("backend", ["s3", "gs", "az", "sftp", "ftp", "memory"], indirect=True)
def test_a_url_naming_a_file_says_so_on_every_backend(backend: Backend) -> None:
    # Object stores list a file as itself, which is nothing below the URL.
    url = backend.new_url()
    fs = backend.filesystem()
    fs.pipe_file(fs._strip_protocol(url), b"not a store\n")
    with pytest.raises(StoreNotFoundError, match="it is a file, not a directory or prefix"):
        open_view(url, **backend.storage_options)


def test_the_toil_locator_opens_the_same_store(
    capsys: pytest.CaptureFixture[str], store_url: str
) -> None:
    # Users copy the --jobStore argument: fsspec:<url>.
    def info(url: str) -> dict[str, object]:
        assert main(["info", url, "--json", "--no-progress"]) == 0
        summary: dict[str, object] = json.loads(capsys.readouterr().out)
        del summary["taken"]  # when the listing was taken
        return summary

    assert info(f"fsspec:{store_url}") == info(store_url)
    assert open_view(f"fsspec:{store_url}").url == open_view(store_url).url == store_url


@pytest.mark.parametrize(("url", "reason"), [
    ("/", "names no directory"),
    # not "the location is empty": sshfs cannot list "" (the login directory)
    ("sftp://me@127.0.0.1:1", "names no directory on the server"),
    ("ftp://127.0.0.1:1/", "names no directory on the server"),
])
def test_the_root_directory_is_refused(
    capsys: pytest.CaptureFixture[str], url: str, reason: str
) -> None:
    assert main(["info", url, "--no-progress"]) == 1
    assert reason in capsys.readouterr().err


@pytest.mark.parametrize("url", ["file://", "fsspec:file://", "local://", "file:///"])
@pytest.mark.parametrize("command", ["info", "destroy"])
def test_a_local_url_naming_no_directory_is_refused_in_a_stores_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    store_path: Path, url: str, command: str
) -> None:
    # "fsspec:file://$STORE_DIR" with the variable empty: fsspec reads "file://"
    # as the working directory, which here holds a store.
    monkeypatch.chdir(store_path)
    before = sorted(store_path.rglob("*"))
    extra = ["--yes"] if command == "destroy" else ["--no-progress"]
    assert main([command, url, *extra]) == 1
    assert "names no directory" in capsys.readouterr().err
    assert sorted(store_path.rglob("*")) == before
    with pytest.raises(InvalidLocatorError, match="names no directory"):
        open_view(url)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"fsjobstore {__version__}"


@pytest.mark.parametrize("backend", ["s3", "gs", "az"], indirect=True)
def test_cat_in_a_missing_bucket_names_the_bucket(
    capsys: pytest.CaptureFixture[str], backend: Backend
) -> None:
    scheme = backend.base_url.split("://", 1)[0]
    options = [part for name, value in backend.storage_options.items()
               for part in ("-o", f"{name}={json.dumps(value)}")]
    file_id = layout.new_file_key("input.txt", owner=None, executable=False)
    assert main(["cat", f"{scheme}://no-such-bucket-here/run1", file_id, *options]) == 1
    kind = "container" if scheme == "az" else "bucket"
    assert f"the {kind} 'no-such-bucket-here' does not exist" in capsys.readouterr().err


def test_destroy_of_a_url_naming_a_file_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"memory://fsjobstore-open-errors/{uuid.uuid4().hex}/results.csv"
    fsspec.filesystem("memory").pipe_file(url, b"1,2\n")
    assert main(["destroy", url, "--yes"]) == 1
    assert f"{url} is a file, not a directory or prefix" in capsys.readouterr().err
    assert fsspec.filesystem("memory").cat_file(url) == b"1,2\n"
