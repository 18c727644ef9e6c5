"""The Toil adapter: :class:`FsspecJobStore`, Toil 9.6's job store on :class:`Storage`.

This module and :mod:`fsjobstore.registration` are the only ones that import
Toil.  Storage errors become Toil's exceptions here and nowhere else.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import stat
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import IO, Any, cast
from urllib.parse import ParseResult, unquote

from toil.fileStores import FileID
from toil.job import JobDescription, TemporaryID
from toil.jobStores.abstractJobStore import (
    AbstractJobStore,
    HintedJobStore,
    JobStoreExistsException,
    NoSuchFileException,
    NoSuchJobException,
    NoSuchJobStoreException,
)
from typing_extensions import override

from fsjobstore import layout, manifest
from fsjobstore._job_fields import describe_job
from fsjobstore._text import text_stream as _text
from fsjobstore._worker_env import non_secret_options, worker_environment
from fsjobstore.errors import (
    CorruptObjectError,
    InvalidInputError,
    NotAJobStoreError,
    ObjectExistsError,
    ObjectNotFoundError,
    UnsupportedError,
)
from fsjobstore.locator import PREFIX, make_locator
from fsjobstore.maintenance import destroy_store
from fsjobstore.marker import make_marker, read_marker
from fsjobstore.storage import Storage
from fsjobstore.toil_url import FsspecURLAccess

__all__ = ["FsspecJobStore"]

logger = logging.getLogger(__name__)

#: S3 signatures are valid for at most seven days; Toil asks for a year.
_MAX_SIGNED_URL = timedelta(days=7) - timedelta(minutes=5)
#: The largest object a memory store hands out as a ``data:`` URL.
_MAX_DATA_URL = 4 * 1024 * 1024
#: jobs() holds at most this many manifests at once (a benchmark job's manifest is
#: 1.3 KB), so its memory does not grow with the store.  Each batch is read
#: concurrently, and its end waits for its slowest read, so batches are large.
_JOBS_BATCH = 10_000
#: How much of a pipe an import reads at a time.
_IMPORT_CHUNK = 1024 * 1024


class FsspecJobStore(FsspecURLAccess, AbstractJobStore, HintedJobStore):
    """A Toil job store under any fsspec URL.

    ``FsspecJobStore("s3://bucket/prefix", **storage_options)`` or
    ``FsspecJobStore("fsspec:s3://bucket/prefix")``.  The store lives under the
    prefix; buckets and containers must already exist and are never deleted.
    *storage_options* reach fsspec only; they are never written into the store.
    *sign_options* reach ``fs.sign`` only (public URLs).
    """

    def __init__(
        self,
        locator: str,
        *,
        sign_options: dict[str, Any] | None = None,
        **storage_options: Any,
    ) -> None:
        url = locator[len(PREFIX) + 1 :] if locator.startswith(PREFIX + ":") else locator
        locator = make_locator(url)  # checked before anything connects
        self._storage = Storage(url, storage_options, sign_options=sign_options)
        super().__init__(locator)
        self._worker_options = non_secret_options(storage_options)
        self._batched: list[JobDescription] | None = None
        # Jobs deleted during clean(), removed from storage in bulk when it ends.
        self._doomed: set[str] | None = None
        self._hint_state = threading.local()

    def __repr__(self) -> str:
        return f"FsspecJobStore({self._storage.url!r})"

    @classmethod
    def getSize(cls, src_uri: str) -> int | None:
        """Toil's documented ``getSize(url)``; Toil 9.6 only has ``get_size``."""
        size: int | None = cls.get_size(src_uri)
        return size

    @property
    def storage(self) -> Storage:
        """The storage core under this job store."""
        return self._storage

    # -- lifecycle ---------------------------------------------------------------

    @override
    def initialize(self, config: Any) -> None:
        _refuse_encryption_key(config, self._storage.url)
        storage = self._storage
        try:
            if read_marker(storage) is not None:
                raise JobStoreExistsException(self._display, PREFIX)
        except CorruptObjectError as exc:
            raise JobStoreExistsException(self._display, PREFIX) from exc
        if storage.any_object():
            raise NotAJobStoreError(
                f"{storage.url} already holds objects that are not a job store; "
                "choose an empty prefix for a new job store"
            )
        try:
            storage.write_bytes(layout.MARKER, make_marker(), exclusive=True)
        except ObjectExistsError:
            raise JobStoreExistsException(self._display, PREFIX) from None
        super().initialize(config)

    @override
    def resume(self) -> None:
        try:
            super().resume()
        except NoSuchFileException:
            raise NoSuchJobStoreException(self._display, PREFIX) from None

    @override
    def destroy(self) -> None:
        # Only the store's own keys, marker last; refuses a prefix with no marker.
        destroy_store(self._storage)

    @property
    def _display(self) -> str:
        return self._storage.url

    @override
    def default_caching(self) -> bool:
        # Toil's own directory store prefers no cache; a local copy of a local
        # store only costs disk.  Remote stores benefit from the cache.
        return not self._storage.capabilities.local

    @override
    def get_env(self) -> dict[str, str]:
        protocol = self._storage.fs.protocol
        protocols = [protocol] if isinstance(protocol, str) else list(protocol)
        return worker_environment(protocols, self._worker_options, os.environ)

    # -- jobs ----------------------------------------------------------------------

    @override
    def assign_job_id(self, job_description: JobDescription) -> None:
        job_description.jobStoreID = layout.new_job_id(job_description.jobName)

    @override
    def create_job(self, job_description: JobDescription) -> JobDescription:
        if self._batched is not None:
            self._batched.append(job_description)
        else:
            self.update_job(job_description)
        return job_description

    @override
    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        if self._batched is not None:  # nested batch: the outer one writes
            yield
            return
        self._batched = []
        try:
            yield
            pending = {}
            for job_description in self._batched:
                key, data = self._encode_job(job_description)
                pending[key] = data
            self._storage.write_many(pending)
        finally:
            self._batched = None

    @override
    def job_exists(self, job_id: str) -> bool:
        if self._doomed is not None and str(job_id) in self._doomed:
            return False
        return self._storage.exists(layout.job_key(str(job_id)))

    @override
    def load_job(self, job_id: str) -> JobDescription:
        key = layout.job_key(str(job_id))
        if self._doomed is not None and str(job_id) in self._doomed:
            raise NoSuchJobException(job_id)
        try:
            data = self._storage.read_bytes(key)
        except ObjectNotFoundError:
            raise NoSuchJobException(job_id) from None
        return self._decode_job(data, key)

    @override
    def update_job(self, job_description: JobDescription) -> None:
        key, data = self._encode_job(job_description)
        self._storage.write_bytes(key, data)

    @override
    def delete_job(self, job_id: str) -> None:
        if self._doomed is not None:
            layout.validate_job_id(str(job_id))
            self._doomed.add(str(job_id))
            return
        # The manifest goes first: a crash in between leaves unreferenced files
        # (which `fsjobstore gc` removes), never a job whose files are gone.
        self._storage.delete(layout.job_key(str(job_id)))
        self._storage.delete_prefix(layout.owned_prefix(str(job_id)))

    @override
    def clean(self, jobCache: Any = None) -> JobDescription:
        # Toil's clean() deletes orphaned jobs one at a time: two round trips
        # each.  Here they are recorded (and hidden from job_exists/load_job)
        # and removed in bulk when it returns.
        if self._doomed is not None:
            return cast(JobDescription, super().clean(jobCache))
        self._doomed = set()
        try:
            return cast(JobDescription, super().clean(jobCache))
        finally:
            doomed, self._doomed = self._doomed, None
            self._delete_jobs(doomed)

    def _delete_jobs(self, job_ids: set[str]) -> None:
        """Delete many jobs: manifests in bulk first, then their owned files."""
        if not job_ids:
            return
        storage = self._storage
        storage.delete_many(layout.job_key(job_id) for job_id in sorted(job_ids))
        if len(job_ids) <= 8:
            for job_id in sorted(job_ids):
                storage.delete_prefix(layout.owned_prefix(job_id))
            return
        owned = storage.list_keys(layout.OWNED)
        storage.delete_many(k for k in owned if k.split("/", 2)[1] in job_ids)
        if storage.capabilities.needs_dirs:
            for job_id in sorted(job_ids):
                storage.delete_prefix(layout.owned_prefix(job_id))

    @override
    def jobs(self) -> Iterator[JobDescription]:
        doomed = self._doomed or set()
        keys = [
            k for k in self._storage.list_keys(layout.JOBS)
            if (job_id := layout.job_id_from_key(k)) is not None and job_id not in doomed
        ]
        for batch in self._storage.read_batches(keys, _JOBS_BATCH):
            for key, data in batch.items():
                if data is None:
                    continue  # deleted since the listing
                try:
                    yield self._decode_job(data, key)
                except CorruptObjectError as exc:
                    logger.warning("Skipping unreadable job manifest: %s", exc)

    @override
    def create_root_job(self, job_description: JobDescription) -> JobDescription:
        # Toil 9.6's version insists on a FileID job ID; ours are plain strings.
        self.create_job(job_description)
        if job_description.jobStoreID is None or isinstance(
            job_description.jobStoreID, TemporaryID
        ):
            raise InvalidInputError(
                f"create_root_job needs a job with an assigned ID; call assign_job_id "
                f"first ({job_description})"
            )
        self.set_root_job(str(job_description.jobStoreID))
        return job_description

    def _encode_job(self, job_description: JobDescription) -> tuple[str, bytes]:
        job_id = job_description.jobStoreID
        if job_id is None or isinstance(job_id, TemporaryID):
            raise InvalidInputError(
                f"job {job_description} has no assigned ID; call assign_job_id first"
            )
        job_description.pre_update_hook()
        payload = pickle.dumps(job_description, protocol=pickle.HIGHEST_PROTOCOL)
        return layout.job_key(str(job_id)), manifest.encode(
            describe_job(job_description), payload
        )

    def _decode_job(self, data: bytes, key: str) -> JobDescription:
        where = f"{self._storage.url}: {key}"
        document = manifest.decode(data, where=where)
        try:
            job = pickle.loads(manifest.payload(document))
        except Exception as exc:
            raise CorruptObjectError(f"{where}: the job payload does not unpickle: {exc}") from None
        if not isinstance(job, JobDescription):
            raise CorruptObjectError(f"{where}: the payload is a {type(job).__name__}")
        job.assignConfig(self.config)
        return job

    # -- files ---------------------------------------------------------------------

    def _new_file_key(
        self,
        basename: str | None,
        job_id: str | None,
        cleanup: bool,
        hints: list[str] | None,
        executable: bool,
    ) -> str:
        if job_id is not None:
            layout.validate_job_id(str(job_id))
        if job_id is not None and cleanup:
            return layout.new_file_key(basename, owner=str(job_id), executable=executable)
        hints_string = self.hints_to_string(hints)
        if hints_string:
            root = layout.hinted_root(executable)
            self._hint_state.root = root
            slot = self.claim_hinted_slot(hints_string, layout.safe_basename(basename))
            return f"{root}/{slot}"
        return layout.new_file_key(basename, owner=None, executable=executable)

    def _file_key(self, file_id: str | FileID) -> layout.FileKey:
        return layout.parse_file_id(file_id)

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
    def _import_file(
        self,
        otherCls: Any,
        uri: ParseResult,
        shared_file_name: str | None = None,
        hardlink: bool = False,
        symlink: bool = True,
    ) -> FileID | None:
        # A local file into a local store: a hard link where the caller can take a
        # link (as Toil's own store symlinks under --symlinkImports), else a copy
        # in the kernel; never read through Python.  Everything else streams.
        path = unquote(uri.path)
        if (uri.scheme != "file" or uri.netloc not in ("", "localhost")
                or shared_file_name is not None or not self._storage.capabilities.local):
            return cast(FileID | None, super()._import_file(
                otherCls, uri, shared_file_name, hardlink, symlink))
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(f"URI {uri.geturl()} points to a directory but a file was "
                                    "expected")
        executable = bool(info.st_mode & stat.S_IXUSR)
        if not stat.S_ISREG(info.st_mode):
            # A pipe or a device: read to its end (Toil's generic import asks a
            # pipe for its position at the end, which fails).
            size = 0
            with open(path, "rb") as source, self.write_file_stream() as (stream, file_id):
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
        return self._reading(self._file_key(file_id).key, file_id, encoding, errors)

    def _reading(
        self, key: str, name: str, encoding: str | None, errors: str | None
    ) -> _Reading:
        return _Reading(self._storage, key, name, encoding, errors)

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

    @override
    def get_public_url(self, file_name: str) -> str:
        return self._public_url(self._file_key(file_name).key, file_name)

    @override
    def get_shared_public_url(self, shared_file_name: str) -> str:
        return self._public_url(layout.shared_key(shared_file_name), shared_file_name)

    def _public_url(self, key: str, name: str) -> str:
        expiration = min(self.publicUrlExpiration, _MAX_SIGNED_URL)
        try:
            return self._storage.public_url(key, expiration)
        except ObjectNotFoundError:
            raise NoSuchFileException(name) from None
        except UnsupportedError:
            if self._storage.capabilities.name != "memory":
                raise
        # A memory store exists only in this process: the object itself, inlined,
        # is the only URL anyone could ever read it from.
        import base64

        data = self._storage.read_bytes(key)
        if len(data) > _MAX_DATA_URL:
            raise UnsupportedError(
                f"{self._storage.url}: {key} is too large for a data: URL "
                f"({len(data)} bytes; memory stores have no signed URLs)"
            )
        return "data:application/octet-stream;base64," + base64.b64encode(data).decode()

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

    # -- shared files ----------------------------------------------------------------

    @override
    @contextlib.contextmanager
    def write_shared_file_stream(
        self,
        shared_file_name: str,
        encrypted: bool | None = None,
        encoding: str | None = None,
        errors: str | None = None,
    ) -> Iterator[IO[bytes]]:
        key = layout.shared_key(shared_file_name)
        with self._storage.write_stream(key) as stream, _text(stream, encoding, errors) as f:
            yield f

    @override
    def read_shared_file_stream(
        self,
        shared_file_name: str,
        encoding: str | None = None,
        errors: str | None = None,
    ) -> contextlib.AbstractContextManager[IO[Any]]:
        key = layout.shared_key(shared_file_name)
        return self._reading(key, shared_file_name, encoding, errors)

    # -- logs ------------------------------------------------------------------------

    @override
    def write_logs(self, msg: str) -> None:
        data = msg.encode("utf-8") if isinstance(msg, str) else bytes(msg)
        self._storage.write_bytes(layout.log_key(), data)

    @override
    def read_logs(self, callback: Callable[..., Any], read_all: bool = False) -> int:
        # Delivery state is a marker per message, never a timestamp: the
        # writers' clocks do not matter, and each message is delivered once.
        storage = self._storage
        logs = sorted(
            k for k in storage.list_keys(layout.LOGS) if not layout.is_temp_name(k)
        )
        done = {k.rsplit("/", 1)[-1] for k in storage.list_keys(layout.LOGS_READ)}
        wanted = [k for k in logs if read_all or k.rsplit("/", 1)[-1] not in done]
        delivered: list[str] = []
        try:
            for key, data in storage.read_many(wanted).items():
                if data is None:
                    continue
                callback(io.BytesIO(data))
                delivered.append(key)
        finally:
            markers = {
                layout.log_key(read=True, name=k.rsplit("/", 1)[-1]): k
                for k in delivered
                if k.rsplit("/", 1)[-1] not in done
            }
            storage.write_markers(markers)
        return len(delivered)


def _refuse_encryption_key(config: Any, url: str) -> None:
    """Refuse Toil's ``--sseKey``: fsjobstore sends no customer-supplied key.

    Toil's S3 and Google stores encrypt every object with that key; going on
    without it would store in the clear what the user asked to be encrypted.
    """
    if getattr(config, "sseKey", None):
        raise InvalidInputError(
            f"{url}: --sseKey (a customer-supplied encryption key) is not supported by "
            "fsjobstore, and the job store would be written unencrypted; use the storage's "
            "own encryption at rest (S3 SSE-S3 or SSE-KMS bucket defaults, Google CMEK, "
            "Azure encryption scopes, an encrypted disk) and run without --sseKey"
        )


class _Reading:
    """``with``: opens *key* on entry (a missing file raises NoSuchFileException
    there, as Toil's own tests expect) and closes it on exit.

    A class rather than a generator context manager: a small read is a few tens
    of microseconds locally, and the generator machinery was a tenth of that.
    """

    __slots__ = ("_encoding", "_errors", "_key", "_name", "_storage", "_stream")

    def __init__(
        self, storage: Storage, key: str, name: str, encoding: str | None, errors: str | None
    ) -> None:
        self._storage = storage
        self._key = key
        self._name = name
        self._encoding = encoding
        self._errors = errors
        self._stream: IO[Any] | None = None

    def __enter__(self) -> IO[Any]:
        try:
            stream: IO[Any] = self._storage.open_read(self._key)
        except ObjectNotFoundError:
            raise NoSuchFileException(self._name) from None
        if self._encoding is not None:
            try:
                stream = io.TextIOWrapper(stream, encoding=self._encoding,
                                          errors=self._errors or "strict")
            except BaseException:  # an unknown encoding, say: close what was opened
                stream.close()
                raise
        self._stream = stream
        return stream

    def __exit__(self, *exc_info: object) -> None:
        if self._stream is not None:
            self._stream.close()
