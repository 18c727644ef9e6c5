"""Part of the Toil adapter: IDs that cannot name anything in a store.

A string that is not one of fsjobstore's file or job IDs names nothing in the
store.  Toil's own stores answer such an ID with ``NoSuchFileException`` or
``NoSuchJobException`` (Toil's caching file store reads ``"bogus"`` and expects
exactly that), and fsjobstore refuses it as bad input.  These errors are both,
with fsjobstore's message saying what an ID should look like.
"""

from __future__ import annotations

from toil.fileStores import FileID
from toil.jobStores.abstractJobStore import NoSuchFileException, NoSuchJobException

from fsjobstore import layout
from fsjobstore.errors import InvalidInputError

__all__ = ["UnknownFileIdError", "UnknownJobIdError", "file_key", "job_key"]


class UnknownFileIdError(NoSuchFileException, InvalidInputError):
    """Not a file ID of an fsjobstore store: no such file, and bad input."""

    def __init__(self, message: str) -> None:
        InvalidInputError.__init__(self, message)


class UnknownJobIdError(NoSuchJobException, InvalidInputError):
    """Not a job ID of an fsjobstore store: no such job, and bad input."""

    def __init__(self, message: str) -> None:
        InvalidInputError.__init__(self, message)


def file_key(file_id: str | FileID) -> layout.FileKey:
    """The key behind *file_id*; :class:`UnknownFileIdError` if it is not one of ours."""
    try:
        return layout.parse_file_id(file_id)
    except InvalidInputError as exc:
        raise UnknownFileIdError(exc.message) from None


def job_key(job_id: str) -> str:
    """The manifest key of *job_id*; :class:`UnknownJobIdError` if it is not one of ours."""
    try:
        return layout.job_key(job_id)
    except InvalidInputError as exc:
        raise UnknownJobIdError(exc.message) from None
