"""The storage core: keys under one root of one fsspec filesystem.

:class:`Storage` owns every call to fsspec.  It knows keys, bytes and the
backend's capabilities (:mod:`fsjobstore.backends`); it knows nothing of Toil or
of jobs.  Its guarantees:

* a write is visible whole or not at all, and a failed write leaves no object
  and no temporary object behind;
* every key is validated (:func:`fsjobstore.layout.validate_key`), so nothing
  outside the root is ever read, written or deleted;
* backend exceptions become :mod:`fsjobstore.errors` with the URL and key named,
  credentials scrubbed and the original kept as ``__cause__``.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from typing import IO, Any, BinaryIO, NoReturn, cast

from fsjobstore import _s3_bulk, _s3_stream, _s3_uploads, layout
from fsjobstore._azure_writer import AzureWriter
from fsjobstore._direct_calls import LIST_BELOW, OBJECT_SIZE
from fsjobstore._gcs_writer import GCSWriter
from fsjobstore._local_io import (
    copy_into,
    create_empty,
    link_file,
    link_marker,
    open_local,
    open_new,
    read_local,
    write_local,
    write_local_with,
)
from fsjobstore._part_writer import PartWriter
from fsjobstore._raw_streams import HeadThenRest
from fsjobstore._redact import redact_url, scrub, secret_values
from fsjobstore._rename_writer import RenameWriter
from fsjobstore._s3_writer import S3Writer
from fsjobstore.backends import Capabilities, profile_for
from fsjobstore.errors import (
    BackendError,
    FsJobStoreError,
    InvalidInputError,
    ObjectExistsError,
    ObjectNotFoundError,
    StoreNotFoundError,
    UnsupportedError,
)

__all__ = ["SMALL_OBJECT", "Storage"]

#: Objects up to this size are read and written in one request, held in memory.
SMALL_OBJECT = 8 * 1024 * 1024
_COPY_CHUNK = 1024 * 1024
#: Actions that create objects: where one fails, a missing bucket is the likely cause.
_WRITES = frozenset({"write", "write (bulk)", "upload"})
#: Actions that read one key: where one fails, its absence is the likely cause.
_READS = frozenset({"read", "open", "download", "stat"})
_PART_SIZE = 8 * 1024 * 1024
_PARALLEL_PARTS = 4
#: Parts of a write stream in flight on S3 and Azure.  Each holds two copies until sent
#: (the part, and on Python 3.11 the socket transport's buffer of what is left
#: to send): 3 keep a 1 GiB stream's growth near 70 MiB of RSS, 4 near 100 MiB,
#: with the same throughput against a loopback server.
_STREAM_PARTS = 3


class _Translated:
    """Context manager of :meth:`Storage._errors` (a class: it wraps every call)."""

    __slots__ = ("_action", "_key", "_storage")

    def __init__(self, storage: Storage, key: str, action: str) -> None:
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


def _uncached(fs: Any) -> Any:
    """*fs*, its listings cache switched off: other processes write too.

    (Set on the instance: not every backend accepts it as an option.)
    """
    dircache = getattr(fs, "dircache", None)
    if dircache is not None and hasattr(dircache, "use_listings_cache"):
        dircache.use_listings_cache = False
        dircache.clear()
    return fs


class Storage:
    """Keys under *url* on an fsspec filesystem, with atomic writes.

    *storage_options* go to :func:`fsspec.core.url_to_fs` unchanged (they may hold
    credentials, so they are kept only in the filesystem object and never shown).
    *sign_options* go to ``fs.sign`` when making public URLs (for example
    ``{"credentials": ...}`` for GCS when the filesystem's own credentials cannot
    sign).
    """

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
        options = dict(storage_options or {})
        self._sign_options = dict(sign_options or {})
        self._secrets = secret_values(options)
        self.url = redact_url(url)
        from fsspec.core import url_to_fs  # fsspec is imported lazily: it is not cheap

        try:
            fs, root = url_to_fs(url, **options)
        except (ImportError, ValueError, TypeError, KeyError) as exc:
            raise InvalidInputError(
                f"cannot open store URL {self.url}: {self._clean(exc)}"
            ) from None
        self._fs: Any = _uncached(fs)
        self._per_thread = threading.local()
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
            return self._fs
        fs = getattr(self._per_thread, "fs", None)
        if fs is None:
            first = self._fs
            fs = self._per_thread.fs = _uncached(
                type(first)(*first.storage_args, **first.storage_options))
        return fs

    # -- paths and errors -------------------------------------------------------

    def path(self, key: str) -> str:
        """The backend path of *key*, after validating it."""
        layout.validate_key(key)
        return f"{self.root}/{key}" if self.root else key

    def key_of(self, path: str) -> str:
        """The key of a backend *path* below the root."""
        stripped = self.fs._strip_protocol(path).rstrip("/")
        prefix = self.root + "/" if self.root else ""
        if not stripped.startswith(prefix):
            raise InvalidInputError(f"{path!r} is outside the store {self.url}")
        return str(stripped[len(prefix) :])

    def _clean(self, exc: BaseException) -> str:
        """*exc* as one line, without secrets.

        Only the first line, and the service's error code where the exception
        has one: the Azure SDK appends the request ID, a timestamp and the whole
        XML response to its messages (the chained exception keeps them).
        """
        text = str(exc).strip().split("\n", 1)[0].strip()
        code = getattr(exc, "error_code", None)
        code = getattr(code, "value", code)  # the Azure SDK's codes are a str enum
        if isinstance(code, str) and code and code not in text:
            text = f"{text} ({code})"
        return scrub(f"{type(exc).__name__}: {text}", self._secrets)

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
        raise BackendError(f"{self.url}: {action} {key} failed: {self._clean(exc)}") from exc

    def _gone(self, key: str) -> bool:
        return self._path_gone(self.path(key))

    def _path_gone(self, path: str) -> bool:
        """Whether *path* is known not to exist, asked after a read or delete failed.

        Not every backend says "not found" with ``FileNotFoundError`` (fsspec's
        FTP raises ``error_perm: 550``); one more request tells.
        """
        try:
            return not self.fs.exists(path)
        except Exception:  # cannot tell: keep the original error
            return False

    # -- reads ------------------------------------------------------------------

    def read_bytes(self, key: str) -> bytes:
        """The whole content of *key*, in one request where the backend allows it."""
        path = self.path(key)
        if self.capabilities.local:
            try:
                return read_local(path)
            except OSError as exc:
                self._raise_translated(exc, key, "read")
        with self._errors(key, "read"):
            return bytes(self.fs.cat_file(path, **self.capabilities.read_kwargs))

    def read_many(self, keys: Sequence[str]) -> dict[str, bytes | None]:
        """Contents of many keys, fetched concurrently where the backend is async.

        A missing key maps to None (it may have been deleted since it was listed).
        """
        if not keys:
            return {}
        paths = {self.path(key): key for key in keys}
        with self._errors(keys[0], "read (bulk)"):
            if self.capabilities.local:
                out: dict[str, bytes | None] = {}
                for path, key in paths.items():
                    try:
                        out[key] = read_local(path)
                    except FileNotFoundError:
                        out[key] = None
                return out
            found = self.fs.cat(
                list(paths), on_error="return", **self.capabilities.read_kwargs
            )
        result: dict[str, bytes | None] = {}
        for path, key in paths.items():
            value = found.get(path, found.get(self.fs._strip_protocol(path)))
            if isinstance(value, FileNotFoundError) or value is None:
                result[key] = None
            elif isinstance(value, BaseException):
                raise BackendError(
                    f"{self.url}: read {key} failed: {self._clean(value)}"
                ) from value
            else:
                result[key] = bytes(value)
        return result

    def read_batches(self, keys: Sequence[str], size: int) -> Iterator[dict[str, bytes | None]]:
        """:meth:`read_many` over *keys*, *size* keys at a time, so that only one
        batch is in memory at once."""
        for start in range(0, len(keys), size):
            yield self.read_many(keys[start : start + size])

    def open_read(self, key: str) -> BinaryIO:
        """An open binary stream over *key* (use it in ``with``); small objects cost
        one request.  Errors are translated when opening; the caller closes it."""
        path = self.path(key)
        caps = self.capabilities
        if caps.local:
            try:
                return open_local(path, _COPY_CHUNK)
            except OSError as exc:
                self._raise_translated(exc, key, "open")
        with self._errors(key, "open"):
            if caps.name == "s3":
                return self._s3_open(path)
            if not caps.byte_ranges:
                return cast(BinaryIO, self.fs.open(path, "rb"))
            head = self._read_head(path)
        if len(head) < SMALL_OBJECT:
            return io.BytesIO(head)
        # A large object: serve the bytes already fetched, then read on from there.
        return cast(BinaryIO, io.BufferedReader(
            HeadThenRest(head, lambda: self._open_rest(key, path)), _COPY_CHUNK
        ))

    def _s3_open(self, path: str) -> BinaryIO:
        # One GET for any size: small objects are read at once, large ones
        # streamed from the same response (fsjobstore._s3_stream).
        response = _s3_stream.get_object(self.fs, path)
        if int(response["ContentLength"]) < SMALL_OBJECT:
            body = response["Body"]
            try:
                return io.BytesIO(_s3_stream.read_body(self.fs, body))
            finally:
                _s3_stream.close_body(self.fs, body)
        raw = _s3_stream.S3ObjectStream(self.fs, path, response)
        return cast(BinaryIO, io.BufferedReader(raw, _COPY_CHUNK))

    def _open_rest(self, key: str, path: str) -> IO[bytes]:
        with self._errors(key, "open"):
            return cast(IO[bytes], self.fs.open(path, "rb"))

    def _read_head(self, path: str) -> bytes:
        """The first SMALL_OBJECT bytes of *path* in one ranged GET."""
        try:
            return bytes(
                self.fs.cat_file(path, start=0, end=SMALL_OBJECT, **self.capabilities.read_kwargs)
            )
        except FileNotFoundError:
            raise
        except Exception:
            # Servers refuse a range on an empty object (416); read it whole instead.
            return bytes(self.fs.cat_file(path, **self.capabilities.read_kwargs))

    def get_local(self, key: str, local_path: str, *, executable: bool = False) -> None:
        """Copy *key* to *local_path*; the local file appears only once complete."""
        path = self.path(key)
        if self.capabilities.local and not executable:
            with self._errors(key, "download"):
                try:
                    # Same file system: share the inode, as Toil's own store does.
                    # Stored files are only ever replaced (os.replace), never
                    # rewritten in place, so the link keeps this version.  A link
                    # appears whole; an existing *local_path* takes the path below.
                    os.link(path, local_path)
                    return
                except FileNotFoundError:
                    if not os.path.exists(path):
                        raise
                except OSError:
                    pass
        directory = os.path.dirname(os.path.abspath(local_path))
        fd, temp = tempfile.mkstemp(prefix=layout.TEMP_PREFIX, dir=directory)
        os.close(fd)
        try:
            with self._errors(key, "download"):
                if self.capabilities.local and not executable and self._hard_link(path, temp):
                    os.replace(temp, local_path)  # replaces the existing *local_path*
                    return
                if self.capabilities.local:
                    shutil.copyfile(path, temp)
                else:
                    # One streaming GET, as fsspec's own get_file (bounded memory).
                    self.fs.get_file(path, temp, **self.capabilities.download_kwargs)
            mode = 0o777 if executable else 0o666
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, mode & ~umask)
            os.replace(temp, local_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    @staticmethod
    def _hard_link(source: str, temp: str) -> bool:
        """Replace the placeholder *temp* with a hard link to *source*, if possible."""
        os.unlink(temp)
        try:
            os.link(source, temp)
        except FileNotFoundError:
            raise
        except OSError:  # another device, no permission, too many links: copy instead
            open(temp, "xb").close()
            return False
        return True

    def exists(self, key: str) -> bool:
        path = self.path(key)
        if self.capabilities.local:
            return os.path.isfile(path)  # never raises
        with self._errors(key, "check"):
            object_size = OBJECT_SIZE.get(self.capabilities.name)  # one request
            if object_size is not None:
                return object_size(self.fs, path) is not None
            return bool(self.fs.isfile(path))

    def size(self, key: str) -> int:
        """Size of *key* in bytes; :class:`ObjectNotFoundError` if missing."""
        path = self.path(key)
        if self.capabilities.local:
            try:
                return os.stat(path).st_size
            except OSError as exc:
                self._raise_translated(exc, key, "stat")
        with self._errors(key, "stat"):
            object_size = OBJECT_SIZE.get(self.capabilities.name)  # one request
            if object_size is not None:
                size = object_size(self.fs, path)
                if size is None:
                    raise FileNotFoundError(path)
                return size
            info = self.fs.info(path)
            if info.get("type") == "directory":
                raise FileNotFoundError(path)
            return int(info.get("size") or 0)

    def info(self, key: str) -> dict[str, Any]:
        path = self.path(key)
        with self._errors(key, "stat"):
            return dict(self.fs.info(path))

    def list_keys(self, prefix: str) -> list[str]:
        """Every key below *prefix* (recursive), temporary objects included."""
        return self._list_below(self.path(prefix), prefix)

    def _list_below(self, path: str, label: str) -> list[str]:
        """Every key below the backend *path*; *label* names it in errors."""
        with self._errors(label, "list"):
            if self.capabilities.local:
                keys: list[str] = []
                for dirpath, _, files in os.walk(path):
                    rel = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
                    keys.extend(name if rel == "." else f"{rel}/{name}" for name in files)
                return keys
            list_below = LIST_BELOW.get(self.capabilities.name)  # one request a page
            try:
                found = list_below(self.fs, path) if list_below else self._find(path)
            except FileNotFoundError:
                return []
        return [self.key_of(p) for p in found]

    def _find(self, path: str, **kwargs: Any) -> Any:
        """``fs.find`` below *path*, in one LIST on S3 even when nothing is there."""
        if self.capabilities.name == "s3":
            parent, _, leaf = path.rstrip("/").rpartition("/")
            if parent and leaf:
                # s3fs follows an empty listing with a HEAD and a second LIST
                # (is *path* a file?); a prefix query skips that.
                return self.fs.find(parent, prefix=leaf + "/", **kwargs)
        return self.fs.find(path, **kwargs)

    def list_keys_at_root(self) -> list[str]:
        """Every key under the root (recursive)."""
        return self._list_below(self.root, "") if self.root else []

    def list_top_level(self) -> tuple[dict[str, dict[str, Any]], set[str]]:
        """Objects directly under the root (with details), and the prefixes there."""
        with self._errors("", "list"):
            try:
                entries = self.fs.ls(self.root, detail=True) if self.root else []
            except FileNotFoundError:
                return {}, set()
        found: dict[str, dict[str, Any]] = {}
        directories: set[str] = set()
        for entry in entries:
            key = self.key_of(str(entry["name"]))
            if not key or "/" in key:
                continue
            if entry.get("type", "file") == "directory":
                directories.add(key)
            else:
                found[key] = dict(entry)
        return found, directories

    def list_detailed(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Every key below *prefix* with its listing details (size, mtime, ...)."""
        path = self.path(prefix)
        with self._errors(prefix, "list"):
            try:
                found = self._find(path, detail=True)
            except FileNotFoundError:
                return {}
        return {
            self.key_of(p): dict(info)
            for p, info in found.items()
            if info.get("type", "file") != "directory"
        }

    def any_object(self) -> bool:
        """Whether anything at all exists under the root."""
        with self._errors("", "list"):
            if self.capabilities.local:
                return os.path.isdir(self.root) and bool(os.listdir(self.root))
            try:
                return bool(self.fs.ls(self.root, detail=False))
            except FileNotFoundError:
                return False

    # -- writes -----------------------------------------------------------------

    def write_bytes(self, key: str, data: bytes, *, exclusive: bool = False) -> None:
        """Store *data* at *key* atomically (one request on object stores).

        With *exclusive*, fail with :class:`ObjectExistsError` if *key* exists.
        """
        path = self.path(key)
        caps = self.capabilities
        with self._errors(key, "write"):
            if caps.local:
                if not data and create_empty(path, exclusive=exclusive):
                    return
                write_local(path, data, exclusive=exclusive)
            elif caps.atomic_put:
                if exclusive:
                    self.fs.pipe_file(path, data, mode="create")
                else:
                    self.fs.pipe_file(path, data)
            else:
                if exclusive and self.fs.exists(path):
                    raise FileExistsError(path)
                self._via_temp(key, lambda temp: self.fs.pipe_file(temp, data))

    def write_many(self, items: Mapping[str, bytes]) -> None:
        """Write many small objects, concurrently where the backend is async.

        Each object is written atomically; there is no atomicity across objects.
        """
        if not items:
            return
        caps = self.capabilities
        if caps.atomic_put and not caps.local:
            paths = {self.path(key): data for key, data in items.items()}
            with self._errors(next(iter(items)), "write (bulk)"):
                self.fs.pipe(paths)
            return
        for key, data in items.items():
            self.write_bytes(key, data)

    def write_markers(self, markers: Mapping[str, str]) -> None:
        """Create each marker key of *markers* (marker key -> the key it marks).

        Only a marker's existence matters.  On a local disk it is a hard link to
        what it marks (no new file); elsewhere, an empty object, written
        concurrently where the backend is async.
        """
        if not self.capabilities.local:
            self.write_many(dict.fromkeys(markers, b""))
            return
        for marker, marked in markers.items():
            with self._errors(marker, "write"):
                link_marker(self.path(marked), self.path(marker))

    def link_local(self, local_path: str, key: str) -> bool:
        """Make the new *key* of a local store a hard link to *local_path*.

        False (nothing done) where the backend is not a local disk or the link
        cannot be made; the caller then copies with :meth:`put_local`.
        """
        if not self.capabilities.local:
            return False
        with self._errors(key, "upload"):
            return link_file(local_path, self.path(key))

    def put_local(self, local_path: str, key: str) -> None:
        """Upload the local file *local_path* to *key* atomically."""
        path = self.path(key)
        caps = self.capabilities
        with self._errors(key, "upload"):
            if caps.local:
                with open(local_path, "rb") as src:
                    write_local_with(path, lambda f: copy_into(src, f))
                return
            size = os.path.getsize(local_path)
            if size <= SMALL_OBJECT:
                with open(local_path, "rb") as src:
                    data = src.read()
                if caps.atomic_put:
                    self.fs.pipe_file(path, data)
                else:
                    self._via_temp(key, lambda temp: self.fs.pipe_file(temp, data))
            elif caps.atomic_put:
                self.fs.put_file(local_path, path, **self._transfer_kwargs(size))
            else:
                self._via_temp(key, lambda temp: self.fs.put_file(local_path, temp))

    @contextlib.contextmanager
    def write_stream(self, key: str) -> Iterator[BinaryIO]:
        """A writable binary stream that becomes *key* when the block exits cleanly.

        If the block raises, nothing is written and no temporary object remains.
        Memory stays bounded: on S3, GCS and Azure the stream is uploaded in
        parts as it is written (one request if it fits in one part) and the
        object appears when the upload completes; on SFTP it is appended to a
        temporary sibling as it is written and renamed at the end; other remote
        backends spool it to local disk, then upload it in one atomic operation.
        """
        path = self.path(key)
        if self.capabilities.local:
            temp = layout.temp_sibling(path)
            with self._errors(key, "write"):
                handle = open(open_new(temp), "wb")  # noqa: SIM115 - closed below
            try:
                yield cast(BinaryIO, handle)
                handle.close()
                with self._errors(key, "write"):
                    os.replace(temp, path)
            except BaseException:
                handle.close()
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp)
                raise
            return
        writer = self._part_writer(path, key)
        if writer is not None:
            try:
                yield cast(BinaryIO, writer)
            except BaseException:
                writer.discard()
                raise
            writer.commit()
            return
        spool = tempfile.NamedTemporaryFile(prefix=layout.TEMP_PREFIX, delete=False)  # noqa: SIM115
        try:
            yield cast(BinaryIO, spool)
            spool.close()
            self.put_local(spool.name, key)
        finally:
            spool.close()
            with contextlib.suppress(FileNotFoundError):
                os.unlink(spool.name)

    def _part_writer(self, path: str, key: str) -> PartWriter | None:
        """A writer that uploads *path* in parts as it is written, where the backend has one."""
        errors = self._errors(key, "write")
        name = self.capabilities.name
        if name == "s3":
            return S3Writer(self.fs, path, part_size=_PART_SIZE, parallel=_STREAM_PARTS,
                            errors=errors)
        if name == "azure":
            return AzureWriter(self.fs, path, part_size=_PART_SIZE, parallel=_STREAM_PARTS,
                               errors=errors)
        if name == "gcs":
            return GCSWriter(self.fs, path, part_size=_PART_SIZE, errors=errors)
        if name == "sftp":
            return RenameWriter(
                self.fs, path, self.path(layout.temp_sibling(key)), part_size=_PART_SIZE,
                errors=errors, put=lambda data: self.write_bytes(key, data),
                make_dirs=self._make_dirs)
        return None

    def _transfer_kwargs(self, size: int | None) -> dict[str, Any]:
        """Part size and parallelism for a large transfer: memory stays bounded."""
        if self.capabilities.name != "s3":
            return {}
        # s3fs defaults to 50 MiB parts, 10 at a time (~500 MiB of buffers).
        # 8 MiB x 4 keeps a transfer under ~32 MiB of buffers; parts grow only to stay
        # within S3's 10,000-part limit.
        part = max(_PART_SIZE, -(-(size or 0) // 9000))
        return {"chunksize": part, "max_concurrency": _PARALLEL_PARTS}

    def _via_temp(self, key: str, upload: Any) -> None:
        """Upload to a temporary sibling, then move it onto *key*."""
        temp = self.path(layout.temp_sibling(key))
        if self.capabilities.needs_dirs:
            self._make_dirs(self.fs._parent(temp))
        try:
            upload(temp)
            self.fs.mv(temp, self.path(key))
        except BaseException:
            with contextlib.suppress(Exception):
                self.fs.rm_file(temp)
            raise

    def _make_dirs(self, path: str) -> None:
        """``makedirs(exist_ok=True)`` that a concurrent creator cannot fail.

        Some backends check, then create (FTP), so of two processes or threads
        creating the same directory one may fail with "exists"; what counts is
        that it is there afterwards.  Each race lost leaves one more level of
        *path* made, so there are at most as many tries as levels.
        """
        for _ in range(path.strip("/").count("/")):
            try:
                self.fs.makedirs(path, exist_ok=True)
                return
            except Exception:
                if self.fs.isdir(path):
                    return
        self.fs.makedirs(path, exist_ok=True)  # the last try raises what it meets

    def create_placeholder(self, key: str) -> bool:
        """Create an empty object at *key* unless one exists; True if this call made it."""
        try:
            self.write_bytes(key, b"", exclusive=True)
        except ObjectExistsError:
            return False
        except BackendError:
            # A directory in the way (local/SFTP) also means the slot is taken.
            if self.capabilities.needs_dirs and self.fs.isdir(self.path(key)):
                return False
            raise
        return True

    # -- deletes ----------------------------------------------------------------

    def delete(self, key: str) -> None:
        """Remove *key*; a missing key is not an error."""
        path = self.path(key)
        if self.capabilities.local:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                self._raise_translated(exc, key, "delete")
            return
        with self._errors(key, "delete"):
            self._delete_path(path)

    def _delete_path(self, path: str) -> None:
        """Remove *path*; a missing one is not an error, however the backend says so."""
        try:
            self.fs.rm_file(path)
        except FileNotFoundError:
            pass
        except Exception:
            if not self._path_gone(path):
                raise

    def delete_many(self, keys: Iterable[str]) -> int:
        """Remove many keys with the backend's bulk delete; returns how many were asked."""
        paths = [self.path(key) for key in keys]
        if not paths:
            return 0
        with self._errors(self.key_of(paths[0]), "delete (bulk)"):
            if self.capabilities.local:
                for path in paths:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)
                return len(paths)
            if self.capabilities.name == "s3":
                _s3_bulk.delete_paths(self.fs, paths)  # raises on keys it could not delete
                return len(paths)
            try:
                self.fs.rm(paths, **self.capabilities.delete_kwargs)
            except Exception:
                # Some rm() refuse the whole list when one path is gone (memory
                # expands the paths first; FTP stops at its first "550"): delete
                # what is left one by one, raising only for a path still there.
                for path in paths:
                    self._delete_path(path)
        return len(paths)

    def delete_listed(self, select: Callable[[str], bool]) -> list[str]:
        """Delete every key under the root that *select* accepts; the keys deleted.

        On S3 the deletes start while the listing goes on (one LIST and one
        DeleteObjects per 1,000 keys); elsewhere the listing comes first.
        """
        if self.capabilities.name == "s3" and self.root:
            with self._errors("", "delete (bulk)"):
                return _s3_bulk.delete_listed(self.fs, self.root, select)
        keys = [k for k in self.list_keys_at_root() if select(k)]
        self.delete_many(keys)
        return keys

    def unfinished_uploads(self) -> list[_s3_uploads.Upload]:
        """Multipart uploads begun under the root and never completed (S3; none elsewhere)."""
        if self.capabilities.name != "s3":
            return []
        with self._errors("", "list multipart uploads"):
            return _s3_uploads.list_uploads(self.fs, self.root)

    def abort_uploads(self, uploads: Sequence[_s3_uploads.Upload]) -> None:
        """Abort *uploads* (from :meth:`unfinished_uploads`), concurrently."""
        if uploads:
            with self._errors(uploads[0].key, "abort multipart uploads"):
                _s3_uploads.abort_uploads(self.fs, self.root, uploads)

    def delete_prefix(self, prefix: str) -> int:
        """Remove every key below *prefix*; returns the number of objects removed."""
        path = self.path(prefix)
        if self.capabilities.local:
            with self._errors(prefix, "delete"):
                count = sum(len(files) for _, _, files in os.walk(path))
                shutil.rmtree(path, ignore_errors=False) if os.path.isdir(path) else None
            return count
        keys = self.list_keys(prefix)
        self.delete_many(keys)
        if self.capabilities.needs_dirs:
            with self._errors(prefix, "delete"), contextlib.suppress(FileNotFoundError):
                self.fs.rm(path, recursive=True)
        return len(keys)

    def remove_empty_dirs(self) -> None:
        """Remove empty directories left under the root where directories are real."""
        if not self.capabilities.needs_dirs:
            return
        if self.capabilities.local:
            for dirpath, _, _ in sorted(os.walk(self.root), key=lambda t: -len(t[0])):
                with contextlib.suppress(OSError):
                    os.rmdir(dirpath)
            return
        with self._errors("", "delete"), contextlib.suppress(FileNotFoundError):
            found = self.fs.find(self.root, withdirs=True, detail=True)
            if any(info.get("type") != "directory" for info in found.values()):
                return  # objects that are not ours remain: keep their directories
            # Only empty directories are left (some backends' rmdir is a no-op).
            self.fs.rm(self.root, recursive=True)

    # -- URLs -------------------------------------------------------------------

    def public_url(self, key: str, expiration: timedelta) -> str:
        """An expiring URL that reads *key* without credentials, or a ``file:`` URL."""
        path = self.path(key)
        if not self.exists(key):
            raise ObjectNotFoundError(f"{self.url}: {key} does not exist (public URL)")
        if self.capabilities.local:
            return "file://" + os.path.abspath(path)
        if not self.capabilities.signed_urls:
            raise UnsupportedError(
                f"{self.url}: the {self.capabilities.name} backend cannot make a public "
                f"URL for {key} (no signed URLs)"
            )
        with self._errors(key, "sign"):
            if self.capabilities.name == "gcs" and "credentials" in self._sign_options:
                return self._sign_gcs(path, expiration)
            return str(
                self.fs.sign(
                    path, expiration=int(expiration.total_seconds()), **self._sign_options
                )
            )

    def _sign_gcs(self, path: str, expiration: timedelta) -> str:
        # gcsfs.sign builds its client from the filesystem's own credentials, which
        # cannot sign when they are anonymous or user tokens: sign with the given
        # service-account credentials instead, against the filesystem's endpoint.
        from google.cloud import storage as gcs  # gcsfs depends on it

        credentials = self._sign_options["credentials"]
        client = gcs.Client(credentials=credentials, project=self.fs.project or "unused")
        bucket, key, generation = self.fs.split_path(path)
        blob = client.bucket(bucket).blob(key)
        return str(
            blob.generate_signed_url(
                expiration=expiration,
                generation=generation,
                api_access_endpoint=self.fs._endpoint,
                credentials=credentials,
            )
        )

    def full_url(self, key: str) -> str:
        """The fsspec URL of *key* (no credentials)."""
        return str(self.fs.unstrip_protocol(self.path(key)))
