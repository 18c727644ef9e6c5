"""Toil locators for fsspec stores: ``fsspec:<url>``, or a bare ``<protocol>://...``.

Toil joins a worker's command line with spaces and runs it through a shell, and
re-reads the locator in every process, so a locator must be whitespace-free,
shell-safe and stable.  This module parses and checks locators without
importing Toil or fsspec.
"""

from __future__ import annotations

import os
import re

from fsjobstore._redact import redact_url
from fsjobstore.backends import profile_for
from fsjobstore.errors import InvalidLocatorError

__all__ = ["PREFIX", "TOIL_OWNED", "TOIL_SCHEMES", "check_store_path", "is_fsspec_locator",
           "lower_scheme", "make_locator", "url_of"]

PREFIX = "fsspec"
#: Locator names Toil resolves itself; a bare URL with these schemes stays Toil's.
TOIL_OWNED = frozenset({"file", "aws", "google"})
#: URL schemes Toil 9.6 handles with its own url_access plugins.
TOIL_SCHEMES = frozenset({"file", "s3", "gs", "http", "https", "ftp"})
_LOCAL = frozenset({"file", "local"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# Characters a POSIX shell treats specially, plus whitespace and NUL.
_UNSAFE = re.compile(r"[\s\x00'\"`$\\;&|<>()*?!{}\[\]~#]")
# A password in the authority: ``proto://user:password@host/...``.
_PASSWORD = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/@]*:[^/@]*@")


def is_fsspec_locator(locator: str) -> bool:
    """Whether *locator* names an fsspec store (``fsspec:...`` or a non-Toil ``proto://``)."""
    if locator.startswith(PREFIX + ":"):
        return True
    match = _SCHEME.match(locator)
    return match is not None and match.group(1).lower() not in TOIL_OWNED


def url_of(locator: str) -> str:
    """The fsspec URL inside *locator*, checked to be shell-safe."""
    url = locator[len(PREFIX) + 1 :] if locator.startswith(PREFIX + ":") else locator
    check_url(url)
    return url


def make_locator(url: str) -> str:
    """The canonical locator of *url* (always the ``fsspec:`` form).

    A relative local path (``file://runs/store``, which fsspec resolves against
    the working directory) is made absolute here, as Toil does for its own
    ``file:`` stores: the locator is read again in every worker process, and
    those may start elsewhere.
    """
    if url.startswith(PREFIX + ":"):
        url = url[len(PREFIX) + 1 :]
    url = lower_scheme(url)
    check_url(url)
    match = _SCHEME.match(url)
    if match and match.group(1).lower() in _LOCAL and not url[match.end():].startswith("/"):
        url = f"{match.group(0)}{os.path.abspath(url[match.end():])}"
        check_url(url)  # the working directory's name must be shell-safe too
    return f"{PREFIX}:{url}"


def lower_scheme(url: str) -> str:
    """*url* with its scheme in lower case (``S3://b/p`` is ``s3://b/p``).

    URL schemes are case-insensitive (RFC 3986, section 3.1), fsspec's protocol
    names are not: ``S3://`` would be "Protocol not known".
    """
    match = _SCHEME.match(url)
    if match is None or match.group(1).islower():
        return url
    return match.group(1).lower() + url[match.end(1):]


def check_url(url: str) -> None:
    """Raise :class:`InvalidLocatorError` unless *url* is usable in a Toil locator."""
    if not url:
        raise InvalidLocatorError("an fsspec locator needs a URL after 'fsspec:'")
    bad = _UNSAFE.search(url)
    if bad:
        raise InvalidLocatorError(
            f"the job store URL contains {bad.group(0)!r} at position {bad.start()}: Toil "
            "passes the locator to worker processes through a shell, so it must not contain "
            "whitespace or shell characters; choose a bucket, container or path without it"
        )
    if _PASSWORD.match(url):
        raise InvalidLocatorError(
            f"the job store URL {redact_url(url)!r} holds a password: Toil writes the "
            "locator into the job store's config, its log and every worker's command line; "
            "leave it out of the URL and give it as a storage option, through fsspec's "
            "configuration (FSSPEC_<PROTOCOL>_PASSWORD) or as a key (SSH keys for sftp)"
        )
    if not _SCHEME.match(url) and not url.startswith("/"):
        raise InvalidLocatorError(
            f"the job store URL {redact_url(url)!r} needs a protocol and '://', like "
            "'fsspec:s3://bucket/prefix' "
            "or 'fsspec:file:///absolute/path'"
        )
    check_store_path(url)


def check_store_path(url: str) -> None:
    """Raise :class:`InvalidLocatorError` if *url* names no bucket where the backend
    has buckets, no directory on the local file system, or has an empty path
    component outside a local file system."""
    match = _SCHEME.match(url)
    if match is None:
        return  # a bare local path
    profile = profile_for(match.group(1).lower())
    path = url[match.end():].strip("/")
    if profile.buckets and not path:
        kind = "container" if profile.name == "azure" else "bucket"
        raise InvalidLocatorError(
            f"store URL {redact_url(url)} names no {kind}: a store lives in an existing "
            f"{kind}, under a prefix of your choice ({match.group(1)}://{kind}/prefix)"
        )
    if profile.name == "local" and not path:
        # fsspec's local root is "", which every path would be relative to: the
        # store would land in the working directory.
        raise InvalidLocatorError(
            f"store URL {redact_url(url)} names no directory: choose one for the store "
            f"({match.group(1)}:///path/to/store)"
        )
    if not profile.local and "//" in path:
        # s3://bucket//run1 is a different store from s3://bucket/run1 (a key
        # prefix starting with "/"): almost always an empty variable in a script.
        raise InvalidLocatorError(
            f"store URL {redact_url(url)} has an empty path component ('//')"
        )
