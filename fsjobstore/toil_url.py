"""Toil URL access through fsspec: import and export for any fsspec URL scheme.

:class:`FsspecURLAccess` implements Toil's ``URLAccess`` classmethods on fsspec.
The ``toil_url_access_fsspec`` plugin registers it for the schemes Toil does not
handle itself; Toil's own ``s3``, ``gs``, ``file``, ``http(s)`` and ``ftp``
handlers are left alone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from typing import IO, Any, cast
from urllib.parse import ParseResult

from toil.lib.url import URLAccess
from typing_extensions import override

from fsjobstore._redact import redact_url, scrub, scrub_exception
from fsjobstore._sdk_logs import quiet_sdk_loggers
from fsjobstore._storage_core import (
    check_backend_installed,
    configured_secrets,
    connection_closed,
    forget_instance,
    one_line,
    uncached,
)
from fsjobstore._storage_writes import move_into_place, object_writer
from fsjobstore.backends import default_options, profile_for
from fsjobstore.errors import FsJobStoreError
from fsjobstore.layout import temp_sibling
from fsjobstore.locator import TOIL_SCHEMES

__all__ = ["TOIL_SCHEMES", "FsspecURLAccess", "plugin_schemes"]

_CHUNK = 1024 * 1024


def plugin_schemes() -> list[str]:
    """fsspec protocols this plugin serves: every known one Toil does not own."""
    from fsspec.registry import known_implementations, registry

    names = set(known_implementations) | set(registry)
    skip = TOIL_SCHEMES | {"local", "blockcache", "filecache", "simplecache", "cached",
                           "reference", "dir", "tar", "zip", "libarchive", "jlab", "jupyter",
                           "dask", "arrow_hdfs", "generic", "tosfs", "root"}
    return sorted(n for n in names if n not in skip and "::" not in n)


def _fs_and_path(url: ParseResult) -> tuple[Any, str]:
    from fsspec.core import url_to_fs

    text = _url_text(url)
    scheme = url.scheme.lower()
    check_backend_installed(text)  # InvalidInputError, a ValueError, naming the extra
    options = default_options(scheme, {}, text)
    quiet_sdk_loggers()
    try:
        fs, path = url_to_fs(text, **options)
        if connection_closed(fs):  # fsspec's cached SFTP filesystem lost its connection
            forget_instance(fs)
            fs, path = url_to_fs(text, **options)
    except (ImportError, ValueError) as exc:
        reason = scrub(f"{type(exc).__name__}: {exc}", configured_secrets(text))
        raise ValueError(f"cannot open {redact_url(text)}: {reason}") from None
    except OSError as exc:
        # sftp, ftp: the server is reached (and a key file read) when the
        # filesystem is made; the error is the reason, not the URL's file.
        reason = scrub(str(exc), configured_secrets(text))
        raise OSError(exc.errno, f"cannot open {redact_url(text)}: {reason}") from None
    # fsspec's instance is shared by the process, and its listings cache would
    # answer for files other processes (Toil's workers) wrote since.
    uncached(fs)
    protocols = (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)
    if "file" in protocols and scheme not in ("file", "local"):
        # Never the working directory for a URL fsspec could not place.
        raise ValueError(f"cannot open {redact_url(text)}: fsspec reads it as a local path")
    return fs, path


def _url_text(url: ParseResult) -> str:
    """*url* as text, ``//`` kept: Toil's ``geturl()`` makes ``memory:///x``
    ``memory:/x``, which fsspec reads as a local path."""
    text = url.geturl()
    if not url.netloc and url.path.startswith("/") and not text.startswith(f"{url.scheme}://"):
        text = f"{url.scheme}://{text[len(url.scheme) + 1:]}"
    return text


@contextlib.contextmanager
def _naming(url: ParseResult, action: str) -> Iterator[None]:
    """Let a missing file's error name the URL (sftp's says only "No such file"),
    and an SDK's own exception (not an ``OSError``, which fsspec and the OS
    raise) be an ``OSError`` of one line naming it (the Azure SDK's carry the
    whole XML response), its cause kept without credentials."""
    try:
        yield
    except FsJobStoreError:
        raise  # the job store being written, not the URL being read
    except FileNotFoundError:
        raise _url_error(FileNotFoundError, errno.ENOENT, url) from None
    except OSError:
        raise
    except Exception as exc:
        raise OSError(f"cannot {action} {redact_url(_url_text(url))}: {one_line(exc)}") from (
            scrub_exception(exc, ()))


@contextlib.contextmanager
def _a_file(fs: Any, path: str, url: ParseResult) -> Iterator[None]:
    """Name a directory read as a file as one: sshfs says only ``SFTPFailure:
    Failure``, object stores and memory "No such file".  Asked only once the
    read failed."""
    try:
        yield
    except FsJobStoreError:
        raise
    except Exception:
        try:
            is_dir = bool(fs.isdir(path))
        except Exception:
            is_dir = False
        if is_dir:
            raise _url_error(IsADirectoryError, errno.EISDIR, url) from None
        raise


def _url_error(kind: type[OSError], code: int, url: ParseResult) -> OSError:
    """``kind(code, <its message>, <url without secrets>)``, as the OS words it."""
    return kind(code, os.strerror(code), redact_url(_url_text(url)))


class FsspecURLAccess(URLAccess):
    """Toil's URL access on any fsspec filesystem."""

    @classmethod
    @override
    def _supports_url(cls, url: ParseResult, export: bool = False) -> bool:
        return url.scheme.lower() in plugin_schemes()

    @classmethod
    @override
    def _url_exists(cls, url: ParseResult) -> bool:
        fs, path = _fs_and_path(url)
        return bool(fs.exists(path))

    @classmethod
    @override
    def _get_size(cls, url: ParseResult) -> int | None:
        fs, path = _fs_and_path(url)
        try:
            size = fs.size(path)
        except FileNotFoundError:
            return None
        return None if size is None else int(size)

    @classmethod
    @override
    def _get_is_directory(cls, url: ParseResult) -> bool:
        fs, path = _fs_and_path(url)
        return bool(fs.isdir(path))

    @classmethod
    @override
    def _list_url(cls, url: ParseResult) -> list[str]:
        fs, path = _fs_and_path(url)
        out = []
        with _naming(url, "list"):
            try:
                listing = fs.ls(path, detail=True)
            except FileNotFoundError:
                if not fs.isfile(path):  # SFTP cannot list a file
                    raise
                raise _url_error(NotADirectoryError, errno.ENOTDIR, url) from None
        stripped = fs._strip_protocol(path).rstrip("/")
        if (len(listing) == 1 and listing[0].get("type") == "file"
                and fs._strip_protocol(str(listing[0]["name"])).rstrip("/") == stripped):
            # Object stores list a file as itself; Toil's own handlers refuse it.
            raise _url_error(NotADirectoryError, errno.ENOTDIR, url)
        for info in listing:
            name = str(info["name"]).rstrip("/").rsplit("/", 1)[-1]
            out.append(name + "/" if info.get("type") == "directory" else name)
        return out

    @classmethod
    @override
    def _open_url(cls, url: ParseResult) -> IO[bytes]:
        fs, path = _fs_and_path(url)
        with _naming(url, "open"), _a_file(fs, path, url):
            return cast(IO[bytes], fs.open(path, "rb"))

    @classmethod
    @override
    def _read_from_url(cls, url: ParseResult, writable: IO[bytes] | IO[str]) -> tuple[int, bool]:
        fs, path = _fs_and_path(url)
        size = 0
        with _naming(url, "read"), _a_file(fs, path, url), fs.open(path, "rb") as readable:
            while chunk := readable.read(_CHUNK):
                writable.write(chunk)
                size += len(chunk)
        executable = False
        with contextlib.suppress(Exception):
            mode = fs.info(path).get("mode")
            executable = bool(mode is not None and int(mode) & 0o100)
        return size, executable

    @classmethod
    @override
    def _write_to_url(
        cls, readable: IO[bytes] | IO[str], url: ParseResult, executable: bool = False
    ) -> None:
        fs, path = _fs_and_path(url)
        parent = fs._parent(path)
        with contextlib.suppress(Exception):
            fs.makedirs(parent, exist_ok=True)
        # Atomic, as Toil's own exports: an export that fails midway (the job
        # store's read breaks, say) leaves the destination as it was.
        writer = object_writer(fs, path, profile_for(fs.protocol).name, contextlib.nullcontext())
        with _naming(url, "write"):
            if writer is None:
                if fs.isdir(path):  # a move would put the file inside it
                    raise _url_error(IsADirectoryError, errno.EISDIR, url)
                _write_via_temp(fs, path, readable)
            else:
                writer.store_from(cast(IO[bytes], readable), _CHUNK)
        if executable and fs.protocol in ("file", ("file", "local")):
            os.chmod(path, os.stat(path).st_mode | 0o111)


def _write_via_temp(fs: Any, path: str, readable: IO[bytes] | IO[str]) -> None:
    """Write *readable* to a temporary sibling of *path*, then move it onto *path*."""
    parent, _, name = path.rpartition("/")

    def upload(temp: str) -> None:
        with fs.open(temp, "wb") as writable:
            shutil.copyfileobj(readable, writable, _CHUNK)

    move_into_place(fs, upload, f"{parent}/{temp_sibling(name)}", path)  # also for "/name"
