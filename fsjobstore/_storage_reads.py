"""Reads and listings of the storage core: whole objects, streams, sizes, keys.

Small objects are read in one request and streams of large ones with bounded
memory, each stream one version of its object throughout (S3:
:mod:`fsjobstore._s3_stream`; GCS, Azure, memory: :mod:`fsjobstore._pinned_reads`);
on a local disk, with direct system calls (:mod:`fsjobstore._local_io`).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any, BinaryIO, cast

from fsjobstore import _s3_stream, layout
from fsjobstore._direct_calls import LIST_BELOW, OBJECT_SIZE
from fsjobstore._ftp_calls import ftp_find, ftp_ls, ftp_retrieve, ftp_size, is_ftp
from fsjobstore._local_io import open_local, read_local
from fsjobstore._pinned_reads import FIRST_READ, FirstRead
from fsjobstore._pinned_stream import PinnedStream
from fsjobstore._raw_streams import HeadThenRest
from fsjobstore._storage_core import SMALL_OBJECT, StorageCore
from fsjobstore.errors import BackendError

__all__ = ["StorageReads"]

_COPY_CHUNK = 1024 * 1024
#: sshfs reads a request this large as several requests in flight at once.
_SFTP_COPY_CHUNK = 8 * 1024 * 1024


class StorageReads(StorageCore):
    """Reading and listing keys."""

    def read_bytes(self, key: str) -> bytes:
        """The whole content of *key*, in one request where the backend allows it."""
        path = self.path(key)
        if self.capabilities.local:
            try:
                return read_local(path)
            except OSError as exc:
                self._raise_translated(exc, key, "read")
        with self._errors(key, "read"):
            return bytes(self._once_more(
                lambda: self.fs.cat_file(path, **self.capabilities.read_kwargs)))

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
            if self.capabilities.thread_safe:
                found = self.fs.cat(
                    list(paths), on_error="return", **self.capabilities.read_kwargs
                )
            else:  # one by one, as fs.cat reads them there; each once more (FTP)
                found = {path: self._read_or_error(path) for path in paths}
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

    def _read_or_error(self, path: str) -> bytes | Exception:
        try:
            return bytes(self._once_more(lambda: self.fs.cat_file(path)))
        except Exception as exc:
            return exc

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
            if caps.name == "sftp":  # an open SFTP handle reads the version it opened
                return cast(BinaryIO, self.fs.open(path, "rb"))
            if not caps.byte_ranges:
                return self._spooled(path)
            first_read = FIRST_READ.get(caps.name)
            if first_read is not None:
                return self._pinned_open(key, first_read(self.fs, path, SMALL_OBJECT))
            head = self._read_head(path)
        if len(head) < SMALL_OBJECT:
            return io.BytesIO(head)
        # A large object on a backend without a profile of its own: serve the
        # bytes already fetched, then read on from there (nothing pins the
        # version: a replacement mid-read would be read on from its offset).
        return cast(BinaryIO, io.BufferedReader(
            HeadThenRest(head, lambda: self._open_rest(key, path)), _COPY_CHUNK
        ))

    def _spooled(self, path: str) -> BinaryIO:
        """The object at *path* read whole, in one transfer, into an unnamed local
        temporary file (backends without a profile, FTP).

        The file has no name to leave behind if the process is killed.
        """
        # fsspec's FTP file fetches each block with a transfer of its own, from
        # the block's offset: a replacement mid-read would be read on from there,
        # two versions mixed.  One get_file is one RETR, as for read_file.
        with tempfile.TemporaryFile() as spool:

            def read() -> None:
                spool.seek(0)
                spool.truncate()
                if is_ftp(self.fs):
                    ftp_retrieve(self.fs, path, spool)
                else:
                    self.fs.get_file(path, spool)

            self._once_more(read)  # once more on a new connection after a failed transfer
            # Read-only, as a read stream is: a descriptor of its own, opened "rb".
            descriptor = os.dup(spool.fileno())
        try:
            stream = open(descriptor, "rb")  # noqa: SIM115 - the caller closes the stream
        except BaseException:
            os.close(descriptor)
            raise
        stream.seek(0)
        return cast(BinaryIO, stream)

    def _pinned_open(self, key: str, first: FirstRead) -> BinaryIO:
        """A stream over the version of *key* that *first* read (GCS, Azure, memory)."""
        if len(first.data) >= first.size:
            return io.BytesIO(first.data)

        def read_range(start: int, end: int) -> bytes:
            # A version gone mid-read is a BackendError, or ObjectNotFoundError
            # if the object was deleted.
            with self._errors(key, "read"):
                return first.read_range(start, end)

        # Ranges of SMALL_OBJECT bytes: a stream holds its first 8 MiB and one range.
        stream = PinnedStream(first.data, first.size, read_range, block=SMALL_OBJECT)
        return cast(BinaryIO, io.BufferedReader(stream, _COPY_CHUNK))

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
                elif self.capabilities.name == "sftp":
                    # One open file, read to its end: sshfs's get_file (asyncssh's
                    # get) stats the path, opens it again and copies the size it
                    # saw, so a file replaced in between came out as a prefix of
                    # the new version.
                    with self.open_read(key) as source, open(temp, "wb") as sink:
                        shutil.copyfileobj(source, sink, _SFTP_COPY_CHUNK)
                else:
                    # Bounded memory: one streaming GET on S3 and GCS, a few ranges
                    # at a time on Azure (the profile's download_kwargs).
                    self._once_more(lambda: self._download(path, temp))
            mode = 0o777 if executable else 0o666
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, mode & ~umask)
            os.replace(temp, local_path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise

    def _download(self, path: str, local_path: str) -> None:
        """``fs.get_file``, one RETR on FTP; *local_path* is written from its start."""
        if is_ftp(self.fs):
            with open(local_path, "wb") as sink:
                ftp_retrieve(self.fs, path, sink)
            return
        self.fs.get_file(path, local_path, **self.capabilities.download_kwargs)

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
            return self._once_more(lambda: self._is_object(path))

    def _is_object(self, path: str) -> bool:
        """Whether an object is at the backend *path*: one request where the
        backend has a direct call, errors untranslated."""
        if self.capabilities.local:
            return os.path.isfile(path)
        object_size = self._object_size()
        if object_size is not None:
            return object_size(self.fs, path) is not None
        return bool(self.fs.isfile(path))

    def _object_size(self) -> Callable[[Any, str], int | None] | None:
        """The backend's direct call for the size of an object (None: there is none)."""
        object_size = OBJECT_SIZE.get(self.capabilities.name)
        if object_size is None and is_ftp(self.fs):
            return ftp_size
        return object_size

    def size(self, key: str) -> int:
        """Size of *key* in bytes; :class:`ObjectNotFoundError` if missing."""
        path = self.path(key)
        if self.capabilities.local:
            try:
                return os.stat(path).st_size
            except OSError as exc:
                self._raise_translated(exc, key, "stat")
        with self._errors(key, "stat"):
            return self._once_more(lambda: self._size(path))

    def _size(self, path: str) -> int:
        object_size = self._object_size()  # one request
        if object_size is not None:
            size = object_size(self.fs, path)
            if size is None:
                raise FileNotFoundError(path)
            return size
        info = self.fs.info(path)
        if info.get("type") == "directory":
            raise FileNotFoundError(path)
        return int(info.get("size") or 0)

    def list_keys(self, prefix: str) -> list[str]:
        """Every key below *prefix* (recursive), temporary objects included."""
        return self._list_below(self.path(prefix), prefix)

    def _list_below(self, path: str, label: str) -> list[str]:
        """Every key below the backend *path*; *label* names it in errors."""
        if self.capabilities.local:
            with self._errors(label, "list"):
                keys: list[str] = []
                for dirpath, _, files in os.walk(path):
                    rel = os.path.relpath(dirpath, self.root).replace(os.sep, "/")
                    keys.extend(name if rel == "." else f"{rel}/{name}" for name in files)
                return keys
        return [self.key_of(p) for p in self._paths_below(path, label)
                if not self._folder_object(p)]

    def _paths_below(self, path: str, label: str) -> list[str]:
        """The backend paths of every object below the remote *path*, folder objects
        included; *label* names it in errors."""
        with self._errors(label, "list"):
            list_below = LIST_BELOW.get(self.capabilities.name)  # one request a page
            try:
                return list(self._once_more(
                    lambda: list_below(self.fs, path) if list_below else self._find(path)))
            except FileNotFoundError:
                return []

    def folders_and_keys_at_root(self) -> tuple[list[str], list[str]]:
        """Every key under the root, and the folder objects below it (not the
        root's own) as keys ending in ``/``: one listing (remote backends)."""
        if self.capabilities.local or not self.root:
            return [], self.list_keys_at_root()
        folders: list[str] = []
        keys: list[str] = []
        for path in self._paths_below(self.root, ""):
            if not self._folder_object(path):
                keys.append(self.key_of(path))
            elif not self._root_itself(path):
                folders.append(self.key_of(path) + "/")
        return folders, keys

    def _folder_object(self, path: str) -> bool:
        """Whether the listed *path* is an object store's "folder" (a key ending in
        ``/``, as the S3 console's "Create folder", Azure Storage Explorer and the
        GCS console make): no key of a store's, and no file.  gcsfs and adlfs list
        the root's own folder without its "/" (a file root never gets this far:
        :meth:`root_contents` names it first)."""
        if not self.capabilities.buckets:
            return False
        path = str(path)
        return path.endswith("/") or self._root_itself(path)

    def _root_itself(self, path: str) -> bool:
        # Most paths are longer than the root by a key: no stripping for those.
        return (bool(self.root) and path.rstrip("/").endswith(self.root)
                and self.fs._strip_protocol(path).rstrip("/") == self.root)

    def _find(self, path: str, **kwargs: Any) -> Any:
        """``fs.find`` below *path*, in one LIST on S3 even when nothing is there."""
        if self.capabilities.name == "s3":
            parent, _, leaf = path.rstrip("/").rpartition("/")
            if parent and leaf:
                # s3fs follows an empty listing with a HEAD and a second LIST
                # (is *path* a file?); a prefix query skips that.
                return self.fs.find(parent, prefix=leaf + "/", **kwargs)
        if is_ftp(self.fs):  # fsspec's find leaves out a directory it failed to list
            found = ftp_find(self.fs, path)
            return found if kwargs.get("detail") else sorted(found)
        return self.fs.find(path, **kwargs)

    def _ls(self, path: str) -> list[dict[str, Any]]:
        """``fs.ls(path, detail=True)``; on FTP one MLSD whose failure raises."""
        if is_ftp(self.fs):
            return ftp_ls(self.fs, path)
        return list(self.fs.ls(path, detail=True))

    def list_keys_at_root(self) -> list[str]:
        """Every key under the root (recursive)."""
        return self._list_below(self.root, "") if self.root else []

    def list_top_level(self) -> tuple[dict[str, dict[str, Any]], set[str]]:
        """Objects directly under the root (with details), and the prefixes there."""
        with self._errors("", "list"):
            try:
                entries = self._once_more(lambda: self._ls(self.root)) if self.root else []
            except FileNotFoundError:
                return {}, set()
        if entries and all(self._folder_object(str(entry["name"])) for entry in entries):
            # adlfs lists a root holding a folder object ("run1/") as that object
            # alone, even when objects lie below it.
            return self._top_level_below()
        found: dict[str, dict[str, Any]] = {}
        directories: set[str] = set()
        for entry in entries:
            if self._folder_object(entry["name"]):
                continue
            key = self.key_of(str(entry["name"]))
            if not key or "/" in key:
                continue
            if entry.get("type", "file") == "directory":
                directories.add(key)
            else:
                found[key] = dict(entry)
        return found, directories

    def _top_level_below(self) -> tuple[dict[str, dict[str, Any]], set[str]]:
        """:meth:`list_top_level` from a listing of every object below the root."""
        with self._errors("", "list"):
            below = self._find(self.root, detail=True)
        found: dict[str, dict[str, Any]] = {}
        directories: set[str] = set()
        for path, info in below.items():
            if info.get("type", "file") == "directory" or self._folder_object(path):
                continue
            key = self.key_of(path)
            top, nested, _ = key.partition("/")
            if nested:
                directories.add(top)
            else:
                found[key] = dict(info)
        return found, directories

    def list_detailed(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Every key below *prefix* with its listing details (size, mtime, ...)."""
        path = self.path(prefix)
        with self._errors(prefix, "list"):
            try:
                found = self._once_more(lambda: self._find(path, detail=True))
            except FileNotFoundError:
                return {}
        return {
            self.key_of(p): dict(info)
            for p, info in found.items()
            if info.get("type", "file") != "directory" and not self._folder_object(p)
        }

    def any_object(self) -> bool:
        """Whether anything at all exists at or under the root (a file root counts)."""
        return self.root_contents() != "nothing"

    def enclosing_store(self) -> str | None:
        """The URL of a store whose own prefix (``files/``, ``logs/``, ...) holds
        this root, or None; one request per path component that is one of those
        names, none elsewhere."""
        parts = self.root.split("/")
        for i in range(len(parts) - 1, 0, -1):
            outer = "/".join(parts[:i]).rstrip("/")  # a local path may hold "//"
            if parts[i] in layout.TOP_LEVEL and outer.strip("/") and self._is_marker(
                f"{outer}/{layout.MARKER}"
            ):
                return self.url.rstrip("/").rsplit("/", len(parts) - i)[0].rstrip("/")
        return None

    def _is_marker(self, path: str) -> bool:
        """Whether a store's marker is at *path*, outside the root."""
        try:
            return self._is_object(path)
        except Exception as exc:
            if _forbidden(exc):
                return False  # credentials scoped below it: a store there is not one to guard
            self._raise_translated(exc, layout.MARKER, "check")

    def root_contents(self) -> str:
        """What the root holds: ``"objects"`` below it, ``"file"`` (the root names
        a file), or ``"nothing"``; one listing (and a ``stat`` where directories
        are real)."""
        with self._errors("", "list"):
            if self.capabilities.local:
                if os.path.isdir(self.root):
                    return "objects" if os.listdir(self.root) else "nothing"
                return "file" if os.path.exists(self.root) else "nothing"
            if self.capabilities.needs_dirs and (
                    self._once_more(lambda: self._is_object(self.root)) if is_ftp(self.fs)
                    else self.fs.isfile(self.root)):
                return "file"  # SFTP cannot list a file; FTP lists one by its bare name
            try:
                listing = [entry["name"] for entry in self._once_more(lambda: self._ls(self.root))]
            except FileNotFoundError:
                return "nothing"
        if self.capabilities.buckets:  # s3fs lists a folder object with its "/"
            listing = [path for path in listing if not str(path).endswith("/")]
        # Object stores list a file root as itself.
        if any(self.fs._strip_protocol(path).rstrip("/") != self.root for path in listing):
            return "objects"
        if listing and self.capabilities.buckets:
            # gcsfs and adlfs list a folder object ("run1/") as the root itself,
            # without its "/" (adlfs so even when objects lie below it): a file
            # only if an object has the root's own name, else what lies below.
            with self._errors("", "check"):
                if self._is_object(self.root):
                    return "file"
            return "objects" if self.list_keys_at_root() else "nothing"
        return "file" if listing else "nothing"


def _forbidden(exc: BaseException) -> bool:
    """Whether *exc* is the backend's refusal of these credentials (HTTP 403)."""
    return (isinstance(exc, PermissionError)  # s3fs, sshfs, local disk
            or getattr(exc, "status_code", None) == 403  # the Azure SDK
            or str(exc).startswith("Forbidden: "))  # gcsfs: OSError("Forbidden: <path>...")
