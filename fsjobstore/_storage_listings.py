"""Checks and listings of the storage layer: whether a key exists, its size,
the keys below a prefix, what the root holds (mixed into
:class:`~fsjobstore.storage.Storage`).

One request where the backend has a direct call (:mod:`fsjobstore._direct_calls`);
on FTP only the server's "550" means "not there" (:mod:`fsjobstore._ftp_calls`);
an object store's folder objects (keys ending in ``/``) are never keys.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from fsjobstore import layout
from fsjobstore._direct_calls import LIST_BELOW, OBJECT_SIZE
from fsjobstore._ftp_calls import ftp_find, ftp_ls, ftp_size, is_ftp
from fsjobstore._storage_core import StorageCore

__all__ = ["StorageListings"]


class StorageListings(StorageCore):
    """Checks and listings."""

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
