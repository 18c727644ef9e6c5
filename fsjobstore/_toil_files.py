"""Part of the Toil adapter: the file methods of :class:`~fsjobstore.jobstore.FsspecJobStore`.

Files a job writes, imports of local files, and the hint tree Toil's
``HintedJobStore`` claims slots in.  A file ID is the file's key
(:mod:`fsjobstore.layout`), so no lookup stands between an ID and its object.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import ParseResult, unquote

from toil.fileStores import FileID
from toil.jobStores.abstractJobStore import (
    AbstractJobStore,
    HintedJobStore,
    NoSuchFileException,
)
from typing_extensions import override

from fsjobstore import layout
from fsjobstore._redact import redact_url
from fsjobstore._text import text_stream as _text
from fsjobstore._toil_errors import file_key, job_key
from fsjobstore._toil_reading import Reading
from fsjobstore.errors import InvalidInputError, ObjectNotFoundError
from fsjobstore.maintenance import is_store_key

if TYPE_CHECKING:
    from fsjobstore.storage import Storage

__all__ = ["FileMethods"]

#: How much of a pipe an import reads at a time.
_IMPORT_CHUNK = 1024 * 1024


class FileMethods(AbstractJobStore, HintedJobStore):
    """Files: write, import, read, update, delete; hinted slots."""

    _storage: Storage
    #: Which hinted root (plain or executable) the hint-tree calls work under.
    _hint_state: threading.local

    def _new_file_key(
        self,
        basename: str | None,
        job_id: str | None,
        cleanup: bool,
        hints: list[str] | None,
        executable: bool,
    ) -> str:
        if job_id is not None:
            job_key(str(job_id))  # UnknownJobIdError: no job ID of ours, so no job here
        if job_id is not None and cleanup:
            return layout.new_file_key(basename, owner=str(job_id), executable=executable)
        hints_string = self.hints_to_string(hints)
        if hints_string:
            root = layout.hinted_root(executable)
            self._hint_state.root = root
            slot = self.claim_hinted_slot(hints_string, layout.hinted_basename(basename))
            return f"{root}/{slot}"
        return layout.new_file_key(basename, owner=None, executable=executable)

    def _file_key(self, file_id: str | FileID) -> layout.FileKey:
        return file_key(file_id)

    @override
    def write_file(
        self,
        local_path: str,
        job_id: str | None = None,
        cleanup: bool = False,
        hints: list[str] | None = None,
    ) -> str:
        executable = bool(os.stat(local_path).st_mode & stat.S_IXUSR)
        key = self._new_file_key(local_path, job_id, cleanup, hints, executable)
        try:
            self._storage.put_local(local_path, key)
        except BaseException:
            self._abandon(key)
            raise
        return key

    @override
    @contextlib.contextmanager
    def write_file_stream(
        self,
        job_id: str | None = None,
        cleanup: bool = False,
        hints: list[str] | None = None,
        basename: str | None = None,
        encoding: str | None = None,
        errors: str | None = None,
    ) -> Iterator[tuple[IO[Any], str]]:
        key = self._new_file_key(basename, job_id, cleanup, hints, False)
        try:
            with self._storage.write_stream(key) as stream, _text(stream, encoding, errors) as f:
                yield f, key
        except BaseException:
            self._abandon(key)
            raise

    @override
    def _export_file(self, otherCls: Any, jobStoreFileID: FileID, url: ParseResult) -> None:
        # Onto the store's own keys (its marker, Toil's config, a job), an export
        # would overwrite the store itself.
        key = self._storage.key_at(url.geturl())
        if key is not None and (not key or is_store_key(key)):
            raise InvalidInputError(
                f"cannot export to {redact_url(url.geturl())}: it is "
                f"{'the job store itself' if not key else f'the job store key {key}'} "
                f"of {self._storage.url}; choose a destination outside the store's own keys")
        if url.scheme == "file":
            # As Toil's own directory store does ("just like for cloud storage"):
            # its file: handler's generic write wants the directory made.
            os.makedirs(os.path.dirname(unquote(url.path)), exist_ok=True)
        super()._export_file(otherCls, jobStoreFileID, url)

    @override
    def _import_file(
        self,
        otherCls: Any,
        uri: ParseResult,
        shared_file_name: str | None = None,
        hardlink: bool = False,
        symlink: bool = True,
    ) -> FileID | None:
        # A local file: into a local store a hard link where the caller can take a
        # link (as Toil's own store symlinks under --symlinkImports), else a copy
        # in the kernel; into a remote one an upload (one request if small, else
        # in parts).  A URL streams, as in Toil's own import.  Either way the
        # file keeps its name in the store (Toil's own import names it "stream").
        path = unquote(uri.path)
        if shared_file_name is not None:
            return cast(FileID | None, super()._import_file(
                otherCls, uri, shared_file_name, hardlink, symlink))
        if uri.scheme != "file" or uri.netloc not in ("", "localhost"):
            with self.write_file_stream(basename=path) as (writable, file_id):
                size, executable = otherCls._read_from_url(uri, writable)
            return FileID(file_id, size, executable)
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(f"URI {uri.geturl()} points to a directory but a file was "
                                    "expected")
        executable = bool(info.st_mode & stat.S_IXUSR)
        if not stat.S_ISREG(info.st_mode):
            # A pipe or a device: read to its end (Toil's generic import asks a
            # pipe for its position at the end, which fails).
            size = 0
            with open(path, "rb") as source, \
                    self.write_file_stream(basename=path) as (stream, file_id):
                while chunk := source.read(_IMPORT_CHUNK):
                    stream.write(chunk)
                    size += len(chunk)
            return FileID(file_id, size, executable)
        key = self._new_file_key(path, None, False, None, executable)
        self._storage.put_local(path, key, link=hardlink or (symlink and self._symlink_imports()))
        return FileID(key, info.st_size, executable)

    def _symlink_imports(self) -> bool:
        """Toil's ``--symlinkImports`` (default on); on where no config is assigned yet."""
        try:
            return bool(getattr(self.config, "symlinkImports", True))
        except AttributeError:
            return True

    def _abandon(self, key: str) -> None:
        """Give up a claimed hinted slot whose write failed, so it is never reused."""
        if key.startswith((layout.HINTED + "/", layout.HINTED_EXECUTABLE + "/")):
            with contextlib.suppress(Exception):
                self._tombstone_key(key)
                self._storage.delete(key)

    @override
    def get_empty_file_store_id(
        self,
        job_id: str | None = None,
        cleanup: bool = False,
        basename: str | None = None,
        hints: list[str] | None = None,
    ) -> str:
        key = self._new_file_key(basename, job_id, cleanup, hints, False)
        if not self._file_key(key).hinted:  # a claimed hinted slot is already empty
            self._storage.write_bytes(key, b"")
        return key

    @override
    def read_file(self, file_id: str, local_path: str, symlink: bool = False) -> None:
        file_key = self._file_key(file_id)
        executable = bool(getattr(file_id, "executable", False)) or file_key.executable
        try:
            self._storage.get_local(file_key.key, local_path, executable=executable)
        except ObjectNotFoundError:
            raise NoSuchFileException(file_id) from None

    @override
    def read_file_stream(
        self,
        file_id: FileID | str,
        encoding: str | None = None,
        errors: str | None = None,
    ) -> contextlib.AbstractContextManager[IO[Any]]:
        return Reading(self._storage, self._file_key(file_id).key, file_id, encoding, errors)

    @override
    def delete_file(self, file_id: str) -> None:
        file_key = self._file_key(file_id)
        if file_key.hinted:
            if not self._storage.exists(file_key.key):
                return
            self._tombstone_key(file_key.key)
        self._storage.delete(file_key.key)

    @override
    def file_exists(self, file_id: str) -> bool:
        return self._storage.exists(self._file_key(file_id).key)

    @override
    def get_file_size(self, file_id: str) -> int:
        try:
            return self._storage.size(self._file_key(file_id).key)
        except ObjectNotFoundError:
            return 0

    @override
    def update_file(self, file_id: str, local_path: str) -> None:
        key = self._require_file(file_id)
        self._storage.put_local(local_path, key)

    @override
    @contextlib.contextmanager
    def update_file_stream(
        self, file_id: str, encoding: str | None = None, errors: str | None = None
    ) -> Iterator[IO[Any]]:
        key = self._require_file(file_id)
        with self._storage.write_stream(key) as stream, _text(stream, encoding, errors) as f:
            yield f

    def _require_file(self, file_id: str) -> str:
        key = self._file_key(file_id).key
        if not self._storage.exists(key):
            raise NoSuchFileException(file_id)
        return key

    # -- hint tree (HintedJobStore's primitives) -------------------------------------

    def _hint_key(self, path: str) -> str:
        root = getattr(self._hint_state, "root", layout.HINTED)
        return f"{root}/{layout.validate_key(path, what='hinted path')}"

    @override
    def _hint_tree_put_if_absent(self, path: str) -> bool:
        return self._storage.create_placeholder(self._hint_key(path))

    @override
    def _hint_tree_exists(self, path: str) -> bool:
        return self._storage.exists(self._hint_key(path))

    @override
    def _hint_tree_delete(self, path: str) -> None:
        self._storage.delete(self._hint_key(path))

    def _tombstone_key(self, key: str) -> None:
        root, _, slot = key.partition("/")
        self._hint_state.root = root
        self.tombstone(slot)
