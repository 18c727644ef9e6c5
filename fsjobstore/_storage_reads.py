"""Reads of the storage core: whole objects, streams, local copies.

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
from collections.abc import Iterator, Sequence
from typing import IO, BinaryIO, cast

from fsjobstore import _s3_stream, layout
from fsjobstore._ftp_calls import ftp_retrieve, is_ftp
from fsjobstore._local_io import open_local, read_local
from fsjobstore._pinned_reads import FIRST_READ, FirstRead
from fsjobstore._pinned_stream import PinnedStream
from fsjobstore._raw_streams import HeadThenRest
from fsjobstore._storage_core import SMALL_OBJECT
from fsjobstore._storage_listings import StorageListings
from fsjobstore.errors import BackendError

__all__ = ["StorageReads"]

_COPY_CHUNK = 1024 * 1024
#: sshfs reads a request this large as several requests in flight at once.
_SFTP_COPY_CHUNK = 8 * 1024 * 1024


class StorageReads(StorageListings):
    """Reading keys."""

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
