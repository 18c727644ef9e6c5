"""What every storage operation shares: one fsspec filesystem, its root, errors.

:class:`StorageCore` opens the filesystem, maps keys to backend paths (validating
each key, so nothing outside the root is touched) and turns backend exceptions
into :mod:`fsjobstore.errors`.  The operations build on it, one module each:
checks and listings in :mod:`fsjobstore._storage_listings`, reads in
:mod:`fsjobstore._storage_reads`, writes in
:mod:`fsjobstore._storage_writes`, deletes and URLs in :mod:`fsjobstore.storage`,
whose :class:`~fsjobstore.storage.Storage` is the class to use.
"""

from __future__ import annotations

import contextlib
import ftplib
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

from fsjobstore import layout
from fsjobstore._ftp_calls import ftp_stat, is_ftp, reconnect, unconnected
from fsjobstore._redact import redact_url, scrub, scrub_exception, secret_values
from fsjobstore.backends import CONSERVATIVE, Capabilities, default_options, profile_for
from fsjobstore.errors import (
    BackendError,
    FsJobStoreError,
    InvalidInputError,
    InvalidLocatorError,
    ObjectExistsError,
    ObjectNotFoundError,
    StoreNotFoundError,
)
from fsjobstore.locator import check_store_path, lower_scheme

__all__ = ["SMALL_OBJECT", "StorageCore", "check_backend_installed", "check_protocol_known",
           "configured_secrets", "connection_closed", "forget_instance", "ftp_transient",
           "one_line", "uncached"]

_T = TypeVar("_T")

#: Objects up to this size are read and written in one request, held in memory.
SMALL_OBJECT = 8 * 1024 * 1024
#: Actions that create objects: where one fails, a missing bucket is the likely cause.
_WRITES = frozenset({"write", "write (bulk)", "upload"})
#: Actions that read one key: where one fails, its absence is the likely cause.
_READS = frozenset({"read", "open", "download", "stat"})
#: What ftplib raises for a transfer that failed under load (a data connection
#: refused or timed out, a 4xx answer) and for a control connection whose answers
#: no longer match its commands (a reply left behind): not the server's "no".
_FTP_TRANSIENT = (ftplib.error_temp, ftplib.error_reply, ftplib.error_proto, EOFError,
                  OSError)  # timeouts, lost connections, a socket timed out before


class _Translated:
    """Context manager of :meth:`StorageCore._errors` (a class: it wraps every call)."""

    __slots__ = ("_action", "_key", "_storage")

    def __init__(self, storage: StorageCore, key: str, action: str) -> None:
        self._storage = storage
        self._key = key
        self._action = action

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:
        if exc is None or isinstance(exc, FsJobStoreError) or not isinstance(exc, Exception):
            return
        self._storage._raise_translated(exc, self._key, self._action)


def connection_closed(fs: Any) -> bool:
    """Whether *fs* is an sshfs filesystem whose SSH connection is closed."""
    client = getattr(fs, "_client", None)
    return client is not None and bool(client.is_closed())


def ftp_transient(exc: BaseException) -> bool:
    """Whether *exc*, raised by fsspec's FTP, may be the connection's fault rather
    than the server's answer: a ``FileNotFoundError`` too, when fsspec made it of
    such a failure (its ``cat_file`` calls any failed RETR "not found")."""
    if isinstance(exc, FileNotFoundError):
        return exc.__cause__ is not None and ftp_transient(exc.__cause__)
    if isinstance(exc, (FileExistsError, PermissionError, IsADirectoryError,
                        NotADirectoryError)):
        return False  # the server's answer, as fsspec words it
    return isinstance(exc, _FTP_TRANSIENT)


def one_line(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """*exc* as one line, without credentials or the values in *secrets*.

    Only the first line (with the next where the first ends in a colon and says
    nothing by itself), and the service's error code where the exception
    has one: the Azure SDK appends the request ID, a timestamp and the whole
    XML response to its messages (the chained exception keeps them).
    """
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    text = lines[0] if lines else ""
    if text.endswith(":") and len(lines) > 1:  # botocore: "Parameter validation failed:"
        text = f"{text} {lines[1]}"
    if not text:  # ftplib's EOFError when the server went away says nothing
        text = ("the server closed the connection" if isinstance(exc, EOFError)
                else "(no message)")
    code = getattr(exc, "error_code", None)
    code = getattr(code, "value", code)  # the Azure SDK's codes are a str enum
    if isinstance(code, str) and code and code not in text:
        text = f"{text} ({code})"
    return scrub(f"{type(exc).__name__}: {text}", secrets)


def forget_instance(fs: Any) -> None:
    """Drop *fs* from fsspec's instance cache, so that the next filesystem made
    with its arguments (the URL plugin's too) is a new one."""
    getattr(type(fs), "_cache", {}).pop(getattr(fs, "_fs_token_", None), None)


def uncached(fs: Any) -> Any:
    """*fs*, its listings cache switched off: other processes write too.

    (Set on the instance: not every backend accepts it as an option.)
    """
    dircache = getattr(fs, "dircache", None)
    if dircache is not None and hasattr(dircache, "use_listings_cache"):
        dircache.use_listings_cache = False
        dircache.clear()
    return fs


def is_known_protocol(protocol: str) -> bool:
    """Whether fsspec knows *protocol*, from its registry alone: the backend's
    package is imported (and a missing one reported) when a store is opened."""
    from fsspec.registry import known_implementations, registry

    return protocol in registry or protocol in known_implementations


def _protocols(url: str) -> list[str]:
    """Each protocol *url* names, lower case: ``simplecache::s3://...`` names two."""
    *chained, last = url.split("::")
    names = [*(part.split("://", 1)[0] for part in chained),
             last.split("://", 1)[0] if "://" in last else "file"]
    return [name.lower() for name in names]


def configured_secrets(url: str) -> list[str]:
    """Credentials fsspec's configuration (``FSSPEC_SFTP_CLIENT_KEYS``, ...) gives
    the filesystems of *url*: under the names it uses and their aliases."""
    import fsspec.config

    protocols = _protocols(url)
    profiles = {profile_for(p).name for p in protocols} - {CONSERVATIVE.name}
    found: list[str] = []
    for name, conf in fsspec.config.conf.items():
        if (name in protocols or profile_for(name).name in profiles) and isinstance(conf, Mapping):
            found += secret_values(conf)
    return found


def check_protocol_known(url: str) -> None:
    """Raise :class:`InvalidLocatorError` naming a protocol fsspec does not know."""
    for protocol in _protocols(url):
        if is_known_protocol(protocol):
            continue
        raise InvalidLocatorError(
            f"the store URL {redact_url(url)} names the protocol {protocol!r}, which fsspec "
            "does not know (see fsspec.available_protocols(); a protocol from another "
            "package is known once that package is installed)"
        )


#: The package fsjobstore's profile of a backend is written for, by profile name;
#: the extra of the same name installs it (``pip install 'fsjobstore[s3]'``).
_PACKAGES = {"s3": "s3fs", "gcs": "gcsfs", "azure": "adlfs", "sftp": "sshfs"}


def check_backend_installed(url: str) -> None:
    """Raise :class:`InvalidInputError` naming the extra to install when a protocol
    of *url* is one fsjobstore has a profile for and its package is missing.

    Without sshfs, fsspec serves ``sftp``/``ssh`` with its own paramiko class,
    which the SFTP profile and its options (keepalives) are not written for.
    """
    import fsspec

    for protocol in _protocols(url):
        extra = profile_for(protocol).name
        package = _PACKAGES.get(extra)
        if package is None:
            continue
        why = ""
        try:
            found = fsspec.get_filesystem_class(protocol).__module__.split(".")[0]
        except ImportError as exc:  # the package, or one it needs
            found, why = None, f" ({_import_error(package) or exc})"
        if package == "sshfs" and found == "fsspec":
            raise InvalidInputError(
                f"cannot open {redact_url(url)}: fsspec's own paramiko class serves "
                f"{protocol}://, and fsjobstore needs sshfs's: pip install 'fsjobstore[sftp]' "
                "(fsspec registers sshfs's class for sftp and ssh once sshfs is installed)"
            )
        if found is None:
            raise InvalidInputError(
                f"cannot open {redact_url(url)}: {protocol}:// needs the {package} "
                f"package: pip install 'fsjobstore[{extra}]'{why}"
            )


def _import_error(package: str) -> ImportError | None:
    """What importing *package* raises: the package's own reason, where fsspec's
    registry names another (its paramiko class for ``sftp`` without sshfs)."""
    import importlib

    try:
        importlib.import_module(package)
    except ImportError as exc:
        return exc
    return None


class StorageCore:
    """The filesystem, the root and error translation (see :class:`~fsjobstore.storage.Storage`)."""

    def __init__(
        self,
        url: str,
        storage_options: Mapping[str, Any] | None = None,
        *,
        capabilities: Capabilities | None = None,
        sign_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(url, str) or not url.strip():
            raise InvalidInputError(f"store URL must be a non-empty string, got {url!r}")
        if "\x00" in url:
            raise InvalidInputError("store URL contains a NUL character")
        url = lower_scheme(url)  # URL schemes are case-insensitive, fsspec's names are not
        check_store_path(url)  # a bucket named, no empty path component
        check_protocol_known(url)
        check_backend_installed(url)
        options = dict(storage_options or {})
        self._secrets = secret_values(options) + configured_secrets(url)
        options = default_options(url.split(":", 1)[0], options, url)
        self._sign_options = dict(sign_options or {})
        with contextlib.suppress(ValueError):  # a password in the URL is kept out too
            if password := urlsplit(url).password:
                # A short one only where it stands in a URL: scrubbing "e" everywhere
                # would garble the message.
                self._secrets.append(password if len(password) >= 4 else f":{password}@")
        self.url = redact_url(url)
        from fsspec.core import url_to_fs  # fsspec is imported lazily: it is not cheap

        try:
            fs, root = url_to_fs(url, **options)
        except (ImportError, ValueError, TypeError, KeyError) as exc:
            raise InvalidInputError(
                f"cannot open store URL {self.url}: {self._clean(exc)}"
            ) from None
        except Exception as exc:  # a backend that connects at once (sftp, ftp): refused, no host
            raise BackendError(f"cannot open store URL {self.url}: {self._clean(exc)}") from (
                scrub_exception(exc, self._secrets))
        self._fs: Any = uncached(fs)
        self._per_thread = threading.local()
        self._reconnecting = threading.Lock()
        self._first_thread = threading.get_ident()
        self.root: str = str(root).rstrip("/")
        self.capabilities = capabilities or profile_for(fs.protocol)
        if any(part in ("..", ".") for part in self.root.split("/")):
            raise InvalidInputError(f"store URL {self.url} has a '.' or '..' path component")

    def __repr__(self) -> str:
        return f"Storage({self.url!r}, backend={self.capabilities.name!r})"

    @property
    def fs(self) -> Any:
        """The fsspec filesystem: one per thread where the backend is not thread-safe.

        fsspec's FTP, for one, holds a single control connection, and Toil's
        workers use the store from several threads at once (a job's commit runs
        beside the next job's load).  The thread's own instance is made from the
        first one's arguments, so it holds no more secrets than that one does.
        """
        if self.capabilities.thread_safe:
            if self.capabilities.name == "sftp" and connection_closed(self._fs):
                self._reconnect()
            return self._fs
        fs = getattr(self._per_thread, "fs", None)
        if fs is None:
            first = self._fs
            if threading.get_ident() == self._first_thread:
                fs = first  # no second connection for the thread that made it
            else:
                # Made from the first one's arguments, so it holds no more secrets
                # than that one does.
                fs = uncached(type(first)(*first.storage_args, **first.storage_options))
            self._per_thread.fs = fs
        if unconnected(fs):  # closed, or a reconnect that failed (the server down or stalled)
            reconnect(fs)
        return fs

    def _reconnect(self) -> None:
        """A new SFTP filesystem in place of one whose connection closed: sshfs
        never reconnects, so after a lost connection (the server restarted,
        keepalives unanswered) every call would fail."""
        with self._reconnecting:  # Toil's threads: one new connection, not one each
            dead = self._fs
            if connection_closed(dead):
                forget_instance(dead)
                self._fs = uncached(type(dead)(*dead.storage_args, **dead.storage_options))

    def _once_more(self, call: Callable[[], _T]) -> _T:
        """``call()``, and on FTP once more on a new control connection if it failed
        as a connection fails under load (:func:`ftp_transient`).  Only for calls
        that may be made twice: reads, checks, listings, deletes, uploads to a
        temporary sibling.
        """
        if self.capabilities.thread_safe:
            return call()
        try:
            return call()
        except Exception as exc:
            if not (ftp_transient(exc) and self._new_ftp_connection()):
                raise
        return call()

    def _new_ftp_connection(self) -> bool:
        """Replace the thread's FTP control connection with a new one; False where
        the filesystem has none.

        A data connection refused or timed out can leave ftplib's control
        connection a reply behind, every later command on it answered with the
        one before's reply: nothing sent on it afterwards can be trusted.
        False too where the failure was this very call's connect (the server
        down): the next call connects again (:attr:`fs`), not this one.
        """
        fs = self._thread_fs()
        if not is_ftp(fs) or unconnected(fs):
            return False
        with contextlib.suppress(Exception):
            fs.ftp.close()
        reconnect(fs)
        return True

    def _thread_fs(self) -> Any:
        """The thread's filesystem as it is, without connecting (see :attr:`fs`)."""
        if self.capabilities.thread_safe:
            return self._fs
        return getattr(self._per_thread, "fs", None) or self._fs

    # -- paths and errors -------------------------------------------------------

    def path(self, key: str) -> str:
        """The backend path of *key*, after validating it."""
        layout.validate_key(key)
        return f"{self.root}/{key}" if self.root else key

    def key_of(self, path: str) -> str:
        """The key of a backend *path* below the root."""
        stripped = self.fs._strip_protocol(path).rstrip("/")
        prefix = self.root + "/" if self.root else ""
        if self.root and stripped == self.root:  # an object store lists a file root as itself
            raise InvalidInputError(f"{self.url} is a file, not a directory or prefix")
        if not stripped.startswith(prefix):
            raise InvalidInputError(f"{path!r} is outside the store {self.url}")
        return str(stripped[len(prefix) :])

    def _clean(self, exc: BaseException) -> str:
        """*exc* as one line, without secrets (:func:`one_line`)."""
        return one_line(exc, self._secrets)

    def missing_bucket(self) -> str | None:
        """``the bucket 'name'`` (or container) if the store's does not exist, else None.

        Only for backends with buckets (one request); asked after a write failed,
        so that the error names the cause rather than the key being written.
        """
        if not self.capabilities.buckets or not self.root:
            return None
        bucket = self.root.split("/", 1)[0]
        try:
            if self.fs.exists(bucket):
                return None
        except Exception:  # cannot tell: keep the original error
            return None
        kind = "container" if self.capabilities.name == "azure" else "bucket"
        return f"the {kind} {bucket!r}"

    def missing_bucket_error(self) -> StoreNotFoundError | None:
        """``no job store at <url>: the bucket 'name' does not exist`` if the store's
        bucket or container is missing (see :meth:`missing_bucket`), else None."""
        missing = self.missing_bucket()
        if missing is None:
            return None
        return StoreNotFoundError(f"no job store at {self.url}: {missing} does not exist")

    def _errors(self, key: str, action: str) -> _Translated:
        """Translate backend exceptions raised while doing *action* on *key*."""
        return _Translated(self, key, action)

    def _raise_translated(self, exc: Exception, key: str, action: str) -> NoReturn:
        """Raise the fsjobstore error for *exc*, raised while doing *action* on *key*.

        Local fast paths call this from ``except OSError`` rather than entering
        :meth:`_errors`, which costs about a microsecond: a tenth of a local stat.
        """
        where = f"{self.url}: {key}"
        if action in _WRITES and not isinstance(exc, FileExistsError):
            missing = self.missing_bucket()
            if missing is not None:
                raise StoreNotFoundError(
                    f"{self.url}: cannot {action} {key}: {missing} does not exist "
                    f"(fsjobstore never creates one; create it first)"
                ) from None
        if isinstance(exc, FileNotFoundError) or (action in _READS and self._gone(key)):
            raise ObjectNotFoundError(f"{where} does not exist ({action})") from None
        if isinstance(exc, FileExistsError):
            raise ObjectExistsError(f"{where} already exists ({action})") from None
        what = f"{action} {key}" if key else action  # "" is the store's root
        raise BackendError(f"{self.url}: {what} failed: {self._clean(exc)}") from (
            scrub_exception(exc, self._secrets))

    def _gone(self, key: str) -> bool:
        return self._path_gone(self.path(key))

    def _path_gone(self, path: str) -> bool:
        """Whether *path* is known not to exist, asked after a read or delete failed.

        Not every backend says "not found" with ``FileNotFoundError`` (fsspec's
        FTP raises ``error_perm: 550``); one more request tells.
        """
        if unconnected(self._thread_fs()):
            return False  # not connected (the server down): cannot tell, no new attempt
        try:
            return not self._anything_at(path)
        except Exception:  # cannot tell: keep the original error
            return False

    def _anything_at(self, path: str) -> bool:
        """Whether anything (an object, a directory) is at the backend *path*.

        On FTP one MLST, made once more after a failure (fsspec's ``exists`` takes
        any failure for "nothing there"); its errors are raised.
        """
        if is_ftp(self.fs):
            return self._once_more(lambda: ftp_stat(self.fs, path)) is not None
        return bool(self.fs.exists(path))

