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

The class is built in layers, one module each: the filesystem, paths and
errors (:mod:`fsjobstore._storage_core`), checks and listings
(:mod:`fsjobstore._storage_listings`), reads (:mod:`fsjobstore._storage_reads`),
writes (:mod:`fsjobstore._storage_writes`), and here the deletes and URLs.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from fsjobstore import _s3_bulk, _s3_uploads, layout
from fsjobstore._direct_calls import DELETE_EXACT
from fsjobstore._storage_core import SMALL_OBJECT
from fsjobstore._storage_writes import StorageWrites
from fsjobstore.backends import profile_for
from fsjobstore.errors import ObjectNotFoundError, UnsupportedError

__all__ = ["SMALL_OBJECT", "Storage"]

#: Calls of fs.rm on a tree another process is removing too, before its error stands.
_TREE_ATTEMPTS = 4


class Storage(StorageWrites):
    """Keys under *url* on an fsspec filesystem, with atomic writes.

    *storage_options* go to :func:`fsspec.core.url_to_fs` unchanged (they may hold
    credentials, so they are kept only in the filesystem object and never shown).
    *sign_options* go to ``fs.sign`` when making public URLs (for example
    ``{"credentials": ...}`` for GCS when the filesystem's own credentials cannot
    sign).
    """

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
        keys = list(keys)
        paths = [self.path(key) for key in keys]
        if not paths:
            return 0
        with self._errors(keys[0], "delete (bulk)"):
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
        folders, keys = self.folders_and_keys_at_root()
        keys = [k for k in keys if select(k)]
        self.delete_many(keys)
        # Folder objects ("jobs/", made in a console) under the store's prefixes too.
        folders = [f for f in folders if select(f)]
        if folders:
            paths = [f"{self.root}/{f}" for f in folders]
            exact = DELETE_EXACT.get(self.capabilities.name)
            with self._errors(folders[0], "delete (bulk)"):
                if exact is not None:
                    exact(self.fs, paths)
                else:
                    with contextlib.suppress(FileNotFoundError):  # gone meanwhile
                        self.fs.rm(paths)
        return keys + folders

    def unfinished_uploads(self) -> list[_s3_uploads.Upload]:
        """Multipart uploads begun under the root and never completed (S3; none elsewhere)."""
        if self.capabilities.name != "s3":
            return []
        with self._errors("", "list multipart uploads"):
            return _s3_uploads.list_uploads(self.fs, self.root)

    def upload_activity(self, upload: _s3_uploads.Upload) -> datetime | None:
        """When *upload* last received a part (else began); None if it is gone."""
        with self._errors(upload.key, "list parts"):
            return _s3_uploads.last_activity(self.fs, self.root, upload)

    def key_at(self, url: str) -> str | None:
        """The key *url* names in this store ("" for the root itself), or None
        when it points elsewhere: another backend, host, bucket or path."""
        target, store = urlsplit(url), urlsplit(self.url)
        caps = self.capabilities
        if profile_for(target.scheme.lower() or "file") is not caps:
            return None
        hosted = not (caps.buckets or caps.local or caps.name == "memory")  # sftp, ftp, ...
        if hosted and (target.hostname or "") != (store.hostname or ""):
            return None
        # Toil unquotes only file: URLs (Toil.normalize_uri quotes them); fsspec
        # and Toil's S3 and GS handlers take any other path literally.
        path = str(self.fs._strip_protocol(unquote(url) if caps.local else url))
        if caps.needs_dirs:  # a POSIX server resolves ".", ".." and "//"
            path = posixpath.normpath("/" + path)
        path = path.strip("/")
        root = self.root.strip("/")
        if path == root:
            return ""
        return path[len(root) + 1:] if path.startswith(f"{root}/") else None

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
                if os.path.isdir(path):
                    _remove_local_tree(path)
            return count
        keys = self.list_keys(prefix)
        self.delete_many(keys)
        if self.capabilities.needs_dirs:
            with self._errors(prefix, "delete"):
                self._remove_tree(path)
        return len(keys)

    def _remove_tree(self, path: str) -> None:
        """``fs.rm(path, recursive=True)``, beside another process removing it too
        (two deletes of one job): what the other removed first is no error."""
        # FTP answers a directory removed meanwhile with a 550, no
        # FileNotFoundError, and the call ends there: it is made again on what
        # is left, a few times, as each finds more of it removed by the other.
        for attempt in range(_TREE_ATTEMPTS):
            try:
                self.fs.rm(path, recursive=True)
            except Exception:
                # FileNotFoundError too: fsspec's FTP walk raises it for a
                # subdirectory gone mid-walk, the rest still there.
                if self._path_gone(path):
                    return
                if attempt == _TREE_ATTEMPTS - 1:
                    raise
            else:
                return

    def remove_empty_parents(self, keys: Iterable[str]) -> None:
        """Remove the directories of deleted *keys* that are empty now, deepest
        first, never the root (where directories are real).  Only those: other
        empty directories may be a running writer's, made before its write."""
        if not self.capabilities.needs_dirs:
            return
        dirs: set[str] = set()
        for key in keys:
            while "/" in key:
                key = key.rpartition("/")[0]
                dirs.add(key)
        self._remove_dirs(f"{self.root}/{d}" if self.root else d for d in dirs)

    def _remove_dirs(self, paths: Iterable[str]) -> None:
        """Remove the directories at the backend *paths* that are empty, deepest
        first; one that is not empty stays."""
        for path in sorted(paths, key=lambda p: p.count("/"), reverse=True):
            # rm, not rmdir: sshfs's rmdir is fsspec's no-op; ftplib's errors are no OSError.
            with contextlib.suppress(Exception):
                if self.capabilities.local:
                    os.rmdir(path)
                else:
                    self.fs.rm(path)

    def remove_empty_dirs(self) -> None:
        """Remove the empty directories left in the store's own top-level prefixes,
        then the root if nothing else is in it, where directories are real.  Other
        directories under the root (someone's ``mydata/empty/``) stay, empty or not."""
        if not self.capabilities.needs_dirs:
            return
        tops = [self.path(top) for top in layout.TOP_LEVEL]
        if self.capabilities.local:
            # Not through a top-level prefix that is a symbolic link (files/ on a
            # bigger disk): the directories there are not under the root.
            self._remove_dirs([*(d for top in tops if not os.path.islink(top)
                                 for d, _, _ in os.walk(top)), self.root])
            return
        with self._errors("", "delete"), contextlib.suppress(FileNotFoundError):
            found = self.fs.find(self.root, withdirs=True, detail=True)
            dirs = {p.rstrip("/") for p, info in found.items() if info.get("type") == "directory"}
            files = [p.rstrip("/") for p in found if p.rstrip("/") not in dirs]
            below = tuple(f"{top}/" for top in tops)
            ours = {d for d in dirs if d in tops or d.startswith(below)}
            root = self.root.rstrip("/")
            only_ours = not files and dirs - ours <= {root}
            # Keep the directories holding objects (not ours), remove the empty
            # ones, deepest first, as on a local disk.
            for path in files:
                while (path := path.rpartition("/")[0]) in ours:
                    ours.discard(path)
            self._remove_dirs([*ours, *([root] if only_ours else [])])

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
            if self.capabilities.name == "gcs":
                return self._gcs_public_url(key, path, expiration)
            return str(
                self.fs.sign(
                    path, expiration=int(expiration.total_seconds()), **self._sign_options
                )
            )

    def _gcs_public_url(self, key: str, path: str, expiration: timedelta) -> str:
        if "credentials" in self._sign_options:
            return self._sign_gcs(path, expiration)
        if _anonymous(self.fs):
            # What an anonymous client reads, anyone reads: the object's own URL
            # is public already (and nothing here could sign one).
            return str(self.fs.url(path))
        try:
            return str(
                self.fs.sign(
                    path, expiration=int(expiration.total_seconds()), **self._sign_options
                )
            )
        except AttributeError as exc:  # google-auth: "you need a private key to sign"
            raise UnsupportedError(
                f"{self.url}: cannot sign a URL for {key}: GCS signs only with "
                "service-account credentials, and this filesystem's cannot sign; pass "
                "FsspecJobStore(url, sign_options={'credentials': <service-account "
                f"credentials>}} ({self._clean(exc)})"
            ) from None

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


def _anonymous(fs: Any) -> bool:
    """Whether a gcsfs filesystem sends no credentials (``token="anon"``, or no others found)."""
    credentials = getattr(fs, "credentials", None)
    return credentials is not None and getattr(credentials, "credentials", False) is None


def _remove_local_tree(path: str) -> None:
    """shutil.rmtree, where what another process removed first is no error."""

    def unless_gone(function: object, name: str, exc: BaseException) -> None:
        if not isinstance(exc, FileNotFoundError):
            raise exc

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=unless_gone)
    else:
        shutil.rmtree(path, onerror=lambda function, name, info: unless_gone(function, name,
                                                                            info[1]))
