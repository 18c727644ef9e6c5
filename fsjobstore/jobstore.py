"""The Toil adapter: :class:`FsspecJobStore`, Toil 9.6's job store on :class:`Storage`.

The class is put together from its parts: ``_toil_jobs`` (job descriptions),
``_toil_files`` (files, imports, hinted slots), ``_toil_shared`` (shared files,
logs, public URLs) and :mod:`fsjobstore.toil_url` (Toil's URL access); this
module holds the life cycle.  These modules, ``_toil_reading`` and
:mod:`fsjobstore.registration` are the only ones that import Toil; storage
errors become Toil's exceptions in them and nowhere else.
"""

from __future__ import annotations

import io
import os
import threading
from typing import Any

from toil.common import safeUnpickleFromStream
from toil.jobStores.abstractJobStore import (
    HintedJobStore,
    JobStoreExistsException,
    LocatorException,
    NoSuchJobStoreException,
)
from typing_extensions import override

from fsjobstore import layout
from fsjobstore._sdk_logs import quiet_sdk_loggers
from fsjobstore._toil_files import FileMethods
from fsjobstore._toil_jobs import JobMethods
from fsjobstore._toil_shared import SharedMethods
from fsjobstore._worker_env import non_secret_options, worker_environment
from fsjobstore.errors import (
    CorruptObjectError,
    FsJobStoreError,
    InvalidInputError,
    NotAJobStoreError,
    ObjectExistsError,
)
from fsjobstore.locator import PREFIX, make_locator, without_prefix
from fsjobstore.maintenance import destroy_store
from fsjobstore.marker import make_marker, parse_marker, read_marker
from fsjobstore.storage import Storage
from fsjobstore.toil_url import FsspecURLAccess

__all__ = ["FsspecJobStore", "StoreOpenError", "UnfinishedStoreError"]


class StoreOpenError(LocatorException, FsJobStoreError):
    """An fsspec job store could not be opened, created or resumed as a workflow started.

    Raised from ``Toil.__enter__`` for any :class:`~fsjobstore.errors.FsJobStoreError`
    there (an unreachable server, missing credentials, a prefix holding other
    data...), with the same message; that error's traceback is logged at debug
    level.  It is a ``LocatorException`` because Toil's CWL and WDL runners
    report those in one line instead of a traceback.
    """

    def __init__(self, message: str) -> None:
        FsJobStoreError.__init__(self, message)


class UnfinishedStoreError(NoSuchJobStoreException):
    """The store has its marker but not Toil's config: the ``initialize`` that
    made it was interrupted (or is running now).  A ``NoSuchJobStoreException``,
    so ``toil clean`` removes it ("does not appear to exist. Deleting anyway")."""

    def __init__(self, locator: str) -> None:
        self.locator = locator
        Exception.__init__(
            self,
            f"The job store '{PREFIX}:{locator}' has its marker but no config: the run that "
            "created it stopped before it finished (or is creating it right now), so there "
            f"is nothing to restart. Remove it with 'toil clean {PREFIX}:{locator}' and "
            "start the workflow again.",
        )

    def __reduce__(self) -> tuple[type[UnfinishedStoreError], tuple[str]]:
        return (type(self), (self.locator,))


class FsspecJobStore(FsspecURLAccess, JobMethods, FileMethods, SharedMethods, HintedJobStore):
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
        url = without_prefix(locator)
        locator = make_locator(url)  # checked before anything connects
        quiet_sdk_loggers()
        self._storage = Storage(url, storage_options, sign_options=sign_options)
        super().__init__(locator)
        self._worker_options = non_secret_options(storage_options)
        self._batched = None
        # Jobs deleted during clean(), removed from storage in bulk when it ends.
        self._doomed = None
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
        contents = storage.root_contents()
        if contents != "nothing":
            if contents != "file" and storage.exists(layout.MARKER):
                # Another leader created the store since the marker was read.
                raise JobStoreExistsException(self._display, PREFIX)
            found = ("is a file, not a directory or prefix" if contents == "file"
                     else "already holds objects that are not a job store")
            raise NotAJobStoreError(
                f"{storage.url} {found}; choose an empty prefix for a new job store")
        outer = storage.enclosing_store()
        if outer is not None:
            raise NotAJobStoreError(
                f"{storage.url} lies inside the job store at {outer}, in a prefix of its "
                "own: destroying that store would delete this one; choose a prefix "
                "outside it")
        marker = make_marker()
        try:
            storage.write_bytes(layout.MARKER, marker, exclusive=True)
        except ObjectExistsError:
            # Another leader's store, or this call's own marker: a write whose
            # answer was lost and that the SDK sent again.
            if storage.read_many([layout.MARKER])[layout.MARKER] != marker:
                raise JobStoreExistsException(self._display, PREFIX) from None
        super().initialize(config)

    @override
    def resume(self) -> None:
        # The marker and the config in one round trip (concurrent reads where the
        # backend is async): a worker's start stays two requests with the
        # environment, and a store of a newer format, or none, is not misread.
        storage = self._storage
        config_key = layout.shared_key("config.pickle")  # where Toil keeps its Config
        found = storage.read_many([layout.MARKER, config_key])
        marker, pickled = found[layout.MARKER], found[config_key]
        if marker is None and pickled is None:
            raise NoSuchJobStoreException(self._display, PREFIX)
        if marker is None:
            raise NotAJobStoreError(
                f"{storage.url} has no {layout.MARKER} marker: not a job store of "
                "fsjobstore's (or its marker was deleted)")
        parse_marker(storage, marker)
        if pickled is None:
            raise UnfinishedStoreError(self._display)
        where = f"{storage.url}: {config_key}"
        try:
            config = safeUnpickleFromStream(io.BytesIO(pickled))
        except Exception as exc:
            raise CorruptObjectError(f"{where}: Toil's config does not unpickle: {exc}") from None
        if getattr(config, "workflowID", None) is None:
            raise CorruptObjectError(f"{where}: not a Toil config with a workflow ID")
        # What AbstractJobStore.resume sets, from the bytes already read.
        setattr(self, "_AbstractJobStore__config", config)  # noqa: B010 - a mangled name

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

