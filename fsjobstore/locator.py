"""Toil locators for fsspec stores: ``fsspec:<url>``, or a bare ``<protocol>://...``.

Toil joins a worker's command line with spaces and runs it through a shell, and
re-reads the locator in every process, so a locator must be whitespace-free,
shell-safe and stable.  This module parses and checks locators without
importing Toil or fsspec.
"""

from __future__ import annotations

import os
import re

from fsjobstore._redact import holds_password, redact_url
from fsjobstore.backends import PROFILES, profile_for
from fsjobstore.errors import InvalidLocatorError

__all__ = ["PREFIX", "TOIL_OWNED", "TOIL_SCHEMES", "absolute_local", "check_inspection_url",
           "check_slashes",
           "check_store_path",
           "is_fsspec_locator", "lower_scheme", "make_locator", "url_of", "without_prefix"]

PREFIX = "fsspec"
#: Locator names Toil resolves itself; a bare URL with these schemes stays Toil's.
TOIL_OWNED = frozenset({"file", "aws", "google"})
#: URL schemes Toil 9.6 handles with its own url_access plugins.
TOIL_SCHEMES = frozenset({"file", "s3", "gs", "http", "https", "ftp"})
_LOCAL = frozenset({"file", "local"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# Characters a POSIX shell treats specially, plus whitespace and NUL.
_UNSAFE = re.compile(r"[\s\x00'\"`$\\;&|<>()*?!{}\[\]~#]")
# "//host/path" with no protocol before it (``fsspec://bucket/run``).
_NO_PROTOCOL = re.compile(r"^//[^/]")
# "gs:/bucket/run", "az:container/run": a protocol name and ':' without '//'.
_MISSING_SLASHES = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):(?!//)")
#: Protocols fsspec reads but cannot write, list or delete on.
_READ_ONLY = frozenset({"http", "https"})
#: fsspec protocols that can hold no job store, and why (the inspection tools may
#: still read a store copied there).
_NO_JOB_STORE = {
    "webdav": "WebDAV cannot replace a file in one step (a MOVE onto an existing file "
              "deletes it first; webdav4's move copies, then deletes), so other processes "
              "would find jobs missing or half-written",
    **dict.fromkeys(
        ("jlab", "jupyter"),
        "Jupyter's contents API cannot rename onto an existing file, and fsspec's "
        "move ignores the refusal: every update would be lost without an error"),
    "dbfs": "Databricks' DBFS API refuses to move onto an existing file, so every update "
            "of a job would fail",
    **dict.fromkeys(
        ("zip", "tar", "libarchive", "github", "gist", "git", "dvc", "reference", "data"),
        "that filesystem is read-only to fsjobstore (an archive is written only whole; "
        "the others serve what another system holds)"),
    **dict.fromkeys(
        ("simplecache", "filecache", "blockcache", "cached", "dir", "generic"),
        "it wraps another filesystem (a cache would hide other processes' writes); "
        "give the storage's own URL"),
}
#: Schemes whose URLs name a server first, then a path on it.
_HOSTED = frozenset({"sftp", "ssh", "ftp"})


def is_fsspec_locator(locator: str) -> bool:
    """Whether *locator* names an fsspec store (``fsspec:...`` or a non-Toil ``proto://``)."""
    if locator.startswith(PREFIX + ":"):
        return True
    match = _SCHEME.match(locator)
    return match is not None and match.group(1).lower() not in TOIL_OWNED


def check_slashes(locator: str) -> None:
    """Refuse ``gs:/bucket/run`` and the like: a protocol fsjobstore knows, without ``//``.

    Toil would take ``gs`` for the name of one of its own job-store kinds and
    fail with "Unknown job store implementation".
    """
    match = _MISSING_SLASHES.match(locator)
    if match is None:
        return
    scheme = match.group(1).lower()
    if scheme in TOIL_OWNED or scheme not in PROFILES:
        return
    # Not echoed: "sftp:me:secret@host/run" is no URL redact_url recognises.
    raise InvalidLocatorError(
        f"the job store locator needs '//' after '{match.group(1)}:' "
        f"({scheme}://bucket-or-host/path, or fsspec:{scheme}://...)"
    )


def url_of(locator: str) -> str:
    """The fsspec URL inside *locator*, checked to be shell-safe."""
    url = without_prefix(locator)
    check_url(url)
    return url


def without_prefix(locator: str) -> str:
    """*locator* without a leading ``fsspec:`` (a URL stays as it is)."""
    if not isinstance(locator, str):
        raise InvalidLocatorError(
            f"a job store locator is a string (an fsspec URL such as 's3://bucket/prefix'), "
            f"not {type(locator).__name__}"
        )
    return locator[len(PREFIX) + 1 :] if locator.startswith(PREFIX + ":") else locator


def make_locator(url: str) -> str:
    """The canonical locator of *url* (always the ``fsspec:`` form).

    A relative local path (``file://runs/store``, which fsspec resolves against
    the working directory) is made absolute here, as Toil does for its own
    ``file:`` stores: the locator is read again in every worker process, and
    those may start elsewhere.
    """
    url = lower_scheme(without_prefix(url))
    check_url(url)
    absolute = absolute_local(url)
    if absolute != url:
        check_url(absolute)  # the working directory's name must be shell-safe too
    return f"{PREFIX}:{absolute}"


def absolute_local(url: str) -> str:
    """*url* with a relative local path (``runs/store``, ``file://../store``) made
    absolute against the working directory, its ``.`` and ``..`` resolved."""
    match = _SCHEME.match(url)
    if match is None:
        if url.startswith("/") or "::" in url or "://" in url:  # absolute, or chained
            return url
        return os.path.abspath(os.path.expanduser(url))
    if match.group(1).lower() in _LOCAL and not url[match.end():].startswith("/"):
        return f"{match.group(0)}{os.path.abspath(os.path.expanduser(url[match.end():]))}"
    return url


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
    _check_no_password(url)
    check_slashes(url)  # "gs:/bucket/run": the same words whichever way it is given
    if "::" in url:
        raise InvalidLocatorError(
            f"the job store URL {redact_url(url)!r} chains filesystems ('::'): a job store "
            "needs its storage's own URL, as every process must see the others' writes "
            "at once (a cache layer would hide them; an archive is read-only), like "
            "'fsspec:s3://bucket/prefix'"
        )
    scheme = _SCHEME.match(url)
    if scheme is not None and (why := _NO_JOB_STORE.get(scheme.group(1).lower())):
        raise InvalidLocatorError(
            f"the job store URL {redact_url(url)!r} cannot hold a job store: {why}"
        )
    if scheme is None and not url.startswith("/"):
        raise InvalidLocatorError(
            f"the job store URL {redact_url(url)!r} needs a protocol and '://', like "
            "'fsspec:s3://bucket/prefix' "
            "or 'fsspec:file:///absolute/path'"
        )
    _check_protocol_named(url)
    check_store_path(url)


def check_inspection_url(url: str) -> None:
    """Raise :class:`InvalidLocatorError` unless the inspection tools may open *url*.

    The checks of ``--jobStore``, but shell safety and absolute local paths,
    which only Toil's command lines need; and a locator of one of Toil's own
    stores (``aws:``, ``google:``, ``file:`` without ``//``) is named as such.
    """
    match = _MISSING_SLASHES.match(url)
    if match is not None and match.group(1).lower() in TOIL_OWNED - _LOCAL:
        raise InvalidLocatorError(
            f"'{match.group(1)}:...' is the locator of one of Toil's own job stores, "
            "which fsjobstore does not read; its tools read fsspec stores "
            "(fsspec:<url>, or the URL alone)"
        )
    if match is not None and match.group(1).lower() == "file":
        raise InvalidLocatorError(
            f"'{match.group(1)}:' without '//' is how Toil names its own directory job "
            "stores, which fsjobstore does not read; an fsspec store on a local disk is "
            "file:///absolute/path, a relative path, or fsspec:file:///absolute/path"
        )
    # gs:/bucket/run; another name before ':' is a relative path (run-12:30/store)
    # or a chained URL (simplecache::s3://...).
    check_slashes(url)
    _check_no_password(url)
    _check_protocol_named(url)
    _check_server_directory(url)
    _check_local_directory(url)


def _check_no_password(url: str) -> None:
    if holds_password(url):
        raise InvalidLocatorError(
            f"the job store URL {redact_url(url)!r} holds a password: Toil writes the "
            "locator into the job store's config, its log and every worker's command line; "
            "leave it out of the URL and give it as a storage option, through fsspec's "
            "configuration (FSSPEC_<PROTOCOL>_PASSWORD) or as a key (SSH keys for sftp)"
        )


def _check_protocol_named(url: str) -> None:
    if _NO_PROTOCOL.match(url):
        # fsspec://bucket/run: the protocol was forgotten, and the rest would
        # be taken as the local path /bucket/run.
        raise InvalidLocatorError(
            f"the job store URL {redact_url(url)!r} starts with '//' but names no protocol: "
            "write the protocol before it ('fsspec:s3://bucket/prefix'), or a local "
            "directory as 'fsspec:file:///absolute/path'"
        )


def _check_server_directory(url: str) -> None:
    match = _SCHEME.match(url)
    if match is None or match.group(1).lower() not in _HOSTED:
        return
    if not url[match.end():].partition("/")[2].strip("/"):
        # sftp://host or sftp://host/: keys would land in the login directory,
        # or the server's root.
        raise InvalidLocatorError(
            f"store URL {redact_url(url)} names no directory on the server: choose one "
            f"for the store ({match.group(1)}://host/path/to/store)"
        )


def _check_local_directory(url: str) -> None:
    """Refuse a local URL naming no directory: the root (``/``, ``file:///``) or
    nothing (``file://``, which fsspec reads as the working directory: almost
    always an empty variable in a script); and the memory filesystem's root
    (``memory://``), whose keys a store's own listing does not tell apart."""
    match = _SCHEME.match(url)
    if match is None:  # a bare local path
        if not url.strip("/"):
            raise InvalidLocatorError(
                f"store URL {url} names no directory: the root directory cannot hold a "
                "store; choose a directory for it (/path/to/store)"
            )
        return
    if (profile_for(match.group(1).lower()).name in ("local", "memory")
            and not url[match.end():].strip("/")):
        # fsspec's local and memory roots are "", which every path would be relative to.
        raise InvalidLocatorError(
            f"store URL {redact_url(url)} names no directory: choose one for the store "
            f"({match.group(1)}:///path/to/store)"
        )


def check_store_path(url: str) -> None:
    """Raise :class:`InvalidLocatorError` if *url* names no bucket where the backend
    has buckets, no directory on the local file system, or has an empty path
    component outside a local file system."""
    _check_local_directory(url)
    match = _SCHEME.match(url)
    if match is None:  # a bare local path
        return
    scheme = match.group(1).lower()
    if scheme in _READ_ONLY:
        raise InvalidLocatorError(
            f"store URL {redact_url(url)} is an {scheme.upper()} address: fsspec can read "
            "files over HTTP but cannot list, rename or delete them there, so a job store "
            "cannot live on one; use a bucket, container or directory"
        )
    profile = profile_for(scheme)
    rest = url[match.end():].split("::", 1)[0]  # zip://run1::file:///x.zip: the store's path
    path = rest.strip("/")
    if profile.buckets and (not path or rest.startswith("/")):
        # s3:///bucket/run: keys starting with "/", which no listing returns
        kind = "container" if profile.name == "azure" else "bucket"
        where = " (nothing between '://' and the next '/')" if path else ""
        raise InvalidLocatorError(
            f"store URL {redact_url(url)} names no {kind}{where}: a store lives in an "
            f"existing {kind}, under a prefix of your choice ({match.group(1)}://{kind}/prefix)"
        )
    _check_server_directory(url)
    relative_local = scheme in _LOCAL and not rest.startswith("/")  # made absolute, normalised
    if not relative_local and any(part in (".", "..") for part in path.split("/")):
        raise InvalidLocatorError(f"store URL {redact_url(url)} has a '.' or '..' path component")
    if not profile.local and "//" in path:
        # s3://bucket//run1 is a different store from s3://bucket/run1 (a key
        # prefix starting with "/"): almost always an empty variable in a script.
        raise InvalidLocatorError(
            f"store URL {redact_url(url)} has an empty path component ('//')"
        )
