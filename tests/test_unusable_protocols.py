"""Protocols fsspec knows that can hold no job store are refused before anything
connects, saying why: WebDAV cannot replace a file in one step, archives and
other read-only filesystems cannot be written, and a chained URL would put a
cache (or an archive) between the processes sharing the store."""

from __future__ import annotations

import pytest

from fsjobstore.errors import InvalidLocatorError
from fsjobstore.jobstore import FsspecJobStore


@pytest.mark.parametrize("url", ["webdav://dav/run1", "WEBDAV://dav/run1", "fsspec:webdav://dav/run1"])
def test_webdav_is_refused_naming_the_replace(url: str) -> None:
    with pytest.raises(InvalidLocatorError, match="cannot replace a file in one step"):
        FsspecJobStore(url)


@pytest.mark.parametrize(("url", "why"), [
    ("jlab://run1", "cannot rename onto an existing file"),
    ("jupyter://run1", "cannot rename onto an existing file"),
    ("dbfs://run1", "refuses to move onto an existing file"),
])
def test_filesystems_whose_move_cannot_replace_are_refused(url: str, why: str) -> None:
    with pytest.raises(InvalidLocatorError, match=why):
        FsspecJobStore(url)


@pytest.mark.parametrize("url", ["zip://run1", "tar://run1", "github://run1", "gist://run1",
                                 "data://run1", "reference://run1"])
def test_read_only_filesystems_are_refused(url: str) -> None:
    with pytest.raises(InvalidLocatorError, match="read-only to fsjobstore"):
        FsspecJobStore(url)


@pytest.mark.parametrize("url", ["simplecache::s3://bucket/run1", "dir::file:///tmp/run1",
                                 "zip://run1::file:///tmp/store.zip"])
def test_chained_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidLocatorError, match=r"chains filesystems \('::'\)"):
        FsspecJobStore(url)


@pytest.mark.parametrize("url", ["simplecache://run1", "filecache://run1", "blockcache://run1",
                                 "dir://run1", "generic://run1"])
def test_wrappers_named_without_a_chain_are_refused(url: str) -> None:
    # Their target comes from an option or fsspec's configuration
    # (FSSPEC_SIMPLECACHE='{"target_protocol": "s3"}'), which workers inherit.
    with pytest.raises(InvalidLocatorError, match="wraps another filesystem"):
        FsspecJobStore(url)
