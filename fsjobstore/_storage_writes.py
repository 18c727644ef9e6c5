"""Writes of the storage core: every object appears whole or not at all.

Small objects go in one request; streams are sent in parts as they are written
where the backend has a part writer, else spooled and uploaded at once.  Where
a backend's put is not atomic, the object is written to a temporary sibling
and moved onto its key.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from typing import IO, Any, BinaryIO, cast

from fsjobstore import _sftp_link, layout
from fsjobstore._azure_writer import AzureWriter
from fsjobstore._ftp_calls import ftp_makedirs, ftp_store, is_ftp
from fsjobstore._gcs_writer import GCSWriter
from fsjobstore._local_io import (
    copy_into,
    create_empty,
    link_file,
    link_marker,
    open_new,
    write_local,
    write_local_with,
)
from fsjobstore._part_writer import PartWriter
from fsjobstore._rename_writer import RenameWriter, atomic_move
from fsjobstore._s3_writer import S3Writer
from fsjobstore._storage_core import SMALL_OBJECT, ftp_transient
from fsjobstore._storage_reads import StorageReads
from fsjobstore.errors import (
    BackendError,
    ObjectExistsError,
    ObjectNotFoundError,
    UnsupportedError,
)

__all__ = ["StorageWrites", "move_into_place", "object_writer"]

_PART_SIZE = 8 * 1024 * 1024
_PARALLEL_PARTS = 4
#: Parts of a write stream in flight on S3 and Azure.  Each holds two copies until sent
#: (the part, and on Python 3.11 the socket transport's buffer of what is left
#: to send): 3 keep a 1 GiB stream's growth near 70 MiB of RSS, 4 near 100 MiB,
#: with the same throughput against a loopback server.
_STREAM_PARTS = 3


def object_writer(
    fs: Any, path: str, backend: str, errors: AbstractContextManager[None]
) -> PartWriter | None:
    """The part writer for *path* on an object store (*backend*: a profile's name):
    nothing is stored unless it is committed.  None for other backends."""
    if backend == "s3":
        return S3Writer(fs, path, part_size=_PART_SIZE, parallel=_STREAM_PARTS, errors=errors)
    if backend == "azure":
        return AzureWriter(fs, path, part_size=_PART_SIZE, parallel=_STREAM_PARTS, errors=errors)
    if backend == "gcs":
        return GCSWriter(fs, path, part_size=_PART_SIZE, errors=errors)
    return None


def move_into_place(fs: Any, upload: Callable[[str], object], temp: str, path: str,
                    move: Callable[[str, str], object] | None = None) -> None:
    """``upload(temp)``, then move *temp* onto *path* (with *move*, if given, else
    :func:`~fsjobstore._rename_writer.atomic_move`); if either fails, *temp* goes."""
    try:
        upload(temp)
        if move is None:
            atomic_move(fs, temp, path)
        else:
            move(temp, path)
    except BaseException:
        with contextlib.suppress(Exception):
            fs.rm_file(temp)
        raise


class StorageWrites(StorageReads):
    """Writing keys atomically."""

    #: The SFTP server has no hard-link extension (learnt at the first try).
    _cannot_link = False

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
            elif exclusive and caps.name == "sftp" and self._link_exclusive(key, data):
                return
            else:
                if exclusive and self._anything_at(path):
                    raise FileExistsError(path)
                self._via_temp(key, lambda temp: self._send_bytes(temp, data))

    def _link_exclusive(self, key: str, data: bytes) -> bool:
        """Store *data* at *key* unless it exists, by a hard link (SFTP); False if
        the server cannot link (then only a check before the write is left)."""
        if self._cannot_link:
            return False
        path = self.path(key)
        temp = self.path(layout.temp_sibling(key))
        self._make_dirs(self.fs._parent(temp))
        try:
            self.fs.pipe_file(temp, data)
            try:
                _sftp_link.link(self.fs, temp, path)
            except _sftp_link.LinkUnsupportedError:
                self._cannot_link = True  # not asked again, nor the data sent twice
                return False
            except Exception:
                # OpenSSH answers a plain "Failure" when the target exists.
                if not self._path_gone(path):
                    raise FileExistsError(path) from None
                raise
        finally:
            with contextlib.suppress(Exception):
                self.fs.rm_file(temp)
        return True

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

    def put_local(self, local_path: str, key: str, *, link: bool = False) -> None:
        """Upload the local file *local_path* to *key* atomically.

        With *link*, a local store makes *key* a hard link to *local_path* where
        the file systems allow it (else it copies, as without).  A missing
        *local_path* is a :class:`FileNotFoundError` naming it, as in Toil's own
        store (Toil's caching file store may delete a file whose upload is pending).
        """
        try:
            self._put_local(local_path, key, link=link)
        except ObjectNotFoundError:
            if os.path.exists(local_path):
                raise
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), local_path) from None

    def _put_local(self, local_path: str, key: str, *, link: bool) -> None:
        path = self.path(key)
        caps = self.capabilities
        with self._errors(key, "upload"):
            if caps.local:
                if link and link_file(local_path, path):
                    return
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
                    self._via_temp(key, lambda temp: self._send_bytes(temp, data))
            elif caps.name == "azure":
                # adlfs's put_file holds the whole file in memory (the Azure SDK's
                # upload of an open file): send it in parts as a write stream does.
                self._put_in_parts(local_path, path, key)
            elif caps.atomic_put:
                self.fs.put_file(local_path, path, **self._transfer_kwargs(size))
            else:
                self._via_temp(key, lambda temp: self._send_file(local_path, temp))

    def _send_bytes(self, path: str, data: bytes) -> None:
        """Write *data* to *path* (a temporary sibling): on FTP in one transfer."""
        if is_ftp(self.fs):
            ftp_store(self.fs, path, io.BytesIO(data))
        else:
            self.fs.pipe_file(path, data)

    def _send_file(self, local_path: str, path: str) -> None:
        """Upload *local_path* to *path* (a temporary sibling): on FTP in one transfer."""
        if is_ftp(self.fs):
            with open(local_path, "rb") as source:
                ftp_store(self.fs, path, source)
        else:
            self.fs.put_file(local_path, path)

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
                with self._errors(key, "write"):
                    handle.close()  # the last buffered bytes: a full disk says so here
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
        with _spool_file() as (spool, spool_path):
            yield cast(BinaryIO, spool)
            spool.close()  # flushed; the caller may have closed it already
            self.put_local(spool_path, key)

    def _put_in_parts(self, local_path: str, path: str, key: str) -> None:
        """Upload *local_path* through the backend's part writer: bounded memory."""
        writer = self._part_writer(path, key)
        if writer is None:
            raise UnsupportedError(f"{self.url}: no part writer for {self.capabilities.name}")
        with open(local_path, "rb") as src:
            writer.store_from(src, _PART_SIZE)

    def _part_writer(self, path: str, key: str) -> PartWriter | None:
        """A writer that uploads *path* in parts as it is written, where the backend has one."""
        errors = self._errors(key, "write")
        name = self.capabilities.name
        writer = object_writer(self.fs, path, name, errors)
        if writer is not None:
            return writer
        if name == "sftp":
            return RenameWriter(
                self.fs, path, self.path(layout.temp_sibling(key)), part_size=_PART_SIZE,
                errors=errors, put=lambda data: self.write_bytes(key, data),
                make_dirs=self._make_dirs)
        return None

    def _transfer_kwargs(self, size: int | None) -> dict[str, Any]:
        """Part size and parallelism for a large transfer: memory stays bounded."""
        if self.capabilities.name == "gcs":
            # gcsfs sends 50 MiB chunks, each copied on its way (~175 MiB held).
            return {"chunksize": _PART_SIZE}
        if self.capabilities.name != "s3":
            return {}
        # s3fs defaults to 50 MiB parts, 10 at a time (~500 MiB of buffers).
        # 8 MiB x 4 keeps a transfer under ~32 MiB of buffers; parts grow only to stay
        # within S3's 10,000-part limit.
        part = max(_PART_SIZE, -(-(size or 0) // 9000))
        return {"chunksize": part, "max_concurrency": _PARALLEL_PARTS}

    def _via_temp(self, key: str, upload: Callable[[str], object]) -> None:
        """Upload to a temporary sibling, then move it onto *key*."""
        temp = self.path(layout.temp_sibling(key))
        if self.capabilities.needs_dirs:
            self._once_more(lambda: self._make_dirs(self.fs._parent(temp)))
        # The temporary sibling is this write's alone: uploaded again from its start.
        move_into_place(self.fs, lambda t: self._once_more(lambda: upload(t)), temp,
                        self.path(key), self._move)

    def _move(self, temp: str, path: str) -> None:
        """:func:`~fsjobstore._rename_writer.atomic_move`; on FTP, a rename that
        failed as a connection fails under load is judged on a new connection by
        what the server holds.

        The rename may have been done with its answer lost.  *temp* is this
        write's alone (128 random bits): still there, it was not renamed, and is
        renamed once more; gone, only this rename took it, so *path* holds (or
        held) this write, which has succeeded unless *path* is gone too.
        """
        try:
            atomic_move(self.fs, temp, path)
            return
        except Exception as exc:
            if not (ftp_transient(exc) and self._new_ftp_connection()):
                raise
            failure = exc
        if self._anything_at(temp):
            atomic_move(self.fs, temp, path)
        elif not self._anything_at(path):
            raise failure

    def _make_dirs(self, path: str) -> None:
        """``makedirs(exist_ok=True)`` that a concurrent creator cannot fail.

        Some backends check, then create (FTP), so of two processes or threads
        creating the same directory one may fail with "exists"; what counts is
        that it is there afterwards.  Each race lost leaves one more level of
        *path* made, so there are at most as many tries as levels.
        """
        if is_ftp(self.fs):
            ftp_makedirs(self.fs, path)
            return
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


@contextlib.contextmanager
def _spool_file() -> Iterator[tuple[IO[bytes], str]]:
    """A local temporary file for a stream on its way to a backend without a part
    writer, and a path that opens it (for ``put_file``).

    On Linux it has no name (``O_TMPFILE``) and is opened again through
    ``/proc/self/fd`` (a descriptor of its own, which closing the stream leaves
    open): a process killed mid-stream leaves nothing behind.  Elsewhere it is
    named, and removed at the end.
    """
    fd_dir = "/proc/self/fd"
    if os.path.isdir(fd_dir):
        with tempfile.TemporaryFile(prefix=layout.TEMP_PREFIX) as unnamed:
            kept = os.dup(unnamed.fileno())
            try:
                yield unnamed, f"{fd_dir}/{kept}"
            finally:
                os.close(kept)
        return
    named = tempfile.NamedTemporaryFile(prefix=layout.TEMP_PREFIX, delete=False)  # noqa: SIM115
    try:
        yield named, named.name
    finally:
        named.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(named.name)
