"""A backend whose package is missing is named with the extra that installs it,
before fsspec's own message or a class fsjobstore is not written for."""

from __future__ import annotations

import sys

import pytest

from fsjobstore.errors import InvalidInputError
from fsjobstore.jobstore import FsspecJobStore

_REGISTRY = sys.modules["fsspec.registry"]


def _uninstall(monkeypatch: pytest.MonkeyPatch, protocol: str, package: str) -> None:
    """As if *package*, which serves *protocol*, were not installed."""
    monkeypatch.delitem(_REGISTRY._registry, protocol, raising=False)
    # Its import, and its modules' (fsspec imports "sshfs.spec", which another
    # test of this process may have imported already), raise ImportError.
    for name in [n for n in sys.modules if n == package or n.startswith(f"{package}.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, package, None)


@pytest.mark.parametrize(("url", "protocol", "package", "extra"), [
    ("s3://bucket/run1", "s3", "s3fs", "s3"),
    ("gs://bucket/run1", "gs", "gcsfs", "gcs"),
    ("az://container/run1", "az", "adlfs", "azure"),
    ("sftp://me@127.0.0.1:1/run1", "sftp", "sshfs", "sftp"),
])
def test_a_missing_package_names_its_extra(
    monkeypatch: pytest.MonkeyPatch, url: str, protocol: str, package: str, extra: str
) -> None:
    _uninstall(monkeypatch, protocol, package)
    if package == "sshfs":  # fsspec's entry without sshfs's: its own class, which needs paramiko
        monkeypatch.setitem(_REGISTRY.known_implementations, protocol, {
            "class": "fsspec.implementations.sftp.SFTPFileSystem",
            "err": 'SFTPFileSystem requires "paramiko" to be installed'})
        monkeypatch.setitem(sys.modules, "paramiko", None)
    with pytest.raises(InvalidInputError) as caught:
        FsspecJobStore(url)
    assert f"needs the {package} package: pip install 'fsjobstore[{extra}]'" in str(caught.value)
    assert package in str(caught.value).partition("(")[2]  # the import's own reason
    assert "paramiko" not in str(caught.value)  # fsspec's fallback for sftp is no advice


def test_sftp_served_by_fsspecs_own_class_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without sshfs, fsspec's paramiko class answers to "sftp"; its constructor
    # takes none of the SFTP profile's options (a TypeError from paramiko).
    monkeypatch.delitem(_REGISTRY._registry, "sftp", raising=False)
    monkeypatch.setitem(_REGISTRY.known_implementations, "sftp",
                        {"class": "fsspec.implementations.ftp.FTPFileSystem"})
    with pytest.raises(InvalidInputError, match=r"fsjobstore needs sshfs's: .*fsjobstore\[sftp\]"):
        FsspecJobStore("sftp://me@127.0.0.1:1/run1")


def test_an_sftp_url_for_toil_without_sshfs_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Toil's imports and exports of sftp:// URLs go through the same check.
    from urllib.parse import urlparse

    from fsjobstore.toil_url import FsspecURLAccess

    _uninstall(monkeypatch, "sftp", "sshfs")
    with pytest.raises(ValueError, match=r"needs the sshfs package: .*'fsjobstore\[sftp\]'"):
        FsspecURLAccess._url_exists(urlparse("sftp://me@127.0.0.1:1/in.txt"))


def test_a_missing_dependency_of_the_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    _uninstall(monkeypatch, "s3", "s3fs")
    with pytest.raises(InvalidInputError, match=r"fsjobstore\[s3\]' \(.*s3fs"):
        FsspecJobStore("s3://bucket/run1")
