"""fsjobstore's exceptions: one pickle-safe hierarchy.

Every error carries a single message string, so it pickles and unpickles intact
(Toil ships exceptions between processes).  Storage errors also subclass the
matching built-in so callers that only know Python's exceptions still work::

    FsJobStoreError(Exception)
    ├── InvalidInputError(ValueError)         a name, ID, hint, key or URL we refuse
    │   └── InvalidLocatorError               a Toil locator that cannot be used
    ├── StoreNotFoundError(FileNotFoundError) no job store at this URL
    ├── StoreExistsError(FileExistsError)     a job store is already at this URL
    ├── NotAJobStoreError(PermissionError)    the prefix holds data but no marker
    ├── ObjectNotFoundError(FileNotFoundError) a key the store expected is missing
    ├── ObjectExistsError(FileExistsError)    an exclusive create lost the race
    ├── CorruptObjectError(ValueError)        a manifest or marker does not parse
    ├── UnsupportedError(NotImplementedError) the backend cannot do this
    └── BackendError(OSError)                 the backend failed; cause kept

Messages name the store URL (with credentials removed) and the key, what was
expected and what was found.  They never contain storage options.
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "CorruptObjectError",
    "FsJobStoreError",
    "InvalidInputError",
    "InvalidLocatorError",
    "NotAJobStoreError",
    "ObjectExistsError",
    "ObjectNotFoundError",
    "StoreExistsError",
    "StoreNotFoundError",
    "UnsupportedError",
]


class FsJobStoreError(Exception):
    """Base class of every error fsjobstore raises itself."""

    def __init__(self, message: str) -> None:
        super().__init__(message)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""

    def __reduce__(self) -> tuple[type[FsJobStoreError], tuple[str]]:
        return (type(self), (self.message,))


class InvalidInputError(FsJobStoreError, ValueError):
    """A name, ID, hint, key or URL that fsjobstore refuses to use."""


class InvalidLocatorError(InvalidInputError):
    """A Toil job store locator that cannot be used (whitespace, shell characters, ...)."""


class StoreNotFoundError(FsJobStoreError, FileNotFoundError):
    """There is no job store at the given URL."""


class StoreExistsError(FsJobStoreError, FileExistsError):
    """A job store already exists at the given URL."""


class NotAJobStoreError(FsJobStoreError, PermissionError):
    """The prefix holds objects but no job-store marker; fsjobstore will not touch it."""


class ObjectNotFoundError(FsJobStoreError, FileNotFoundError):
    """An object the caller asked for does not exist."""


class ObjectExistsError(FsJobStoreError, FileExistsError):
    """An exclusive create found the object already there."""


class CorruptObjectError(FsJobStoreError, ValueError):
    """An object exists but its content is not what fsjobstore wrote."""


class UnsupportedError(FsJobStoreError, NotImplementedError):
    """The backend has no way to do what was asked."""


class BackendError(FsJobStoreError, OSError):
    """The storage backend failed; the original exception is kept as ``__cause__``."""
