"""The key tree of a job store, and the rules every key, ID and name must pass.

A job store lives under one prefix (the *root*) of any fsspec filesystem::

    <root>/
    ├── fsjobstore.json                      marker: format name and version
    ├── jobs/<job_id>.json                   one JSON manifest per job
    ├── owned/<job_id>/<uuid>[.x]/<basename> files deleted with their job (cleanup=True)
    ├── files/<uuid>[.x]/<basename>          other files
    ├── hinted/<hint>/.../files/<slot>/<basename>   files written with hints
    ├── hinted/<hint>/.../deleted/<slot>/<basename> tombstones of deleted hinted files
    ├── hinted.x/...                         the same, for executable files
    ├── shared/<shared_name>                 shared files (config.pickle, ...)
    ├── logs/<stamp>-<uuid>.log              messages from write_logs
    └── logs.read/<stamp>-<uuid>.log         markers: that message was delivered

A file ID is the file's key relative to the root, so a read needs no lookup.
``.x`` marks a file written from an executable local file.  Temporary objects are
siblings of their target named ``.tmp-<32 random hex digits>-<name>``; nothing
else starts with ``.tmp-``.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache

from fsjobstore.errors import InvalidInputError

__all__ = [
    "FILES",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "HINTED",
    "HINTED_EXECUTABLE",
    "JOBS",
    "LOGS",
    "LOGS_READ",
    "MARKER",
    "OWNED",
    "SHARED",
    "TEMP_PREFIX",
    "TOP_LEVEL",
    "FileKey",
    "hinted_basename",
    "is_late_write",
    "is_log_message",
    "is_store_temp",
    "is_temp_name",
    "job_id_from_key",
    "job_key",
    "log_key",
    "new_file_key",
    "new_job_id",
    "parse_file_id",
    "safe_basename",
    "shared_key",
    "temp_sibling",
    "validate_job_id",
    "validate_key",
    "validate_shared_name",
]

FORMAT_NAME = "fsjobstore"
FORMAT_VERSION = 1

MARKER = "fsjobstore.json"
JOBS = "jobs"
OWNED = "owned"
FILES = "files"
HINTED = "hinted"
HINTED_EXECUTABLE = "hinted.x"
SHARED = "shared"
LOGS = "logs"
LOGS_READ = "logs.read"
TEMP_PREFIX = ".tmp-"
JOB_SUFFIX = ".json"
LOG_SUFFIX = ".log"
EXECUTABLE_SUFFIX = ".x"
#: The store's top-level prefixes (below the root), in the order tools show them.
TOP_LEVEL = (JOBS, OWNED, FILES, HINTED, HINTED_EXECUTABLE, SHARED, LOGS, LOGS_READ)

_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9._-]+\Z")
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\Z")
_SHARED_NAME = re.compile(r"^[A-Za-z0-9._-]+\Z")
_UUID_DIR = re.compile(r"^[0-9a-f]{32}(\.x)?\Z")
_UNSAFE_CHARS = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")
_MAX_BASENAME = 120
#: No name in a file ID is longer (basenames and Toil's hints: 120), and local
#: file systems refuse longer names (NAME_MAX).
_MAX_NAME = 255


#: Keys and file IDs seen recently: every operation validates its key, and the same
#: keys recur (a job is loaded and updated many times), so the checks are cached.
_CACHE_SIZE = 1 << 16


def validate_key(key: str, *, what: str = "key") -> str:
    """Return *key* if it is a safe relative key, else raise :class:`InvalidInputError`.

    Safe means: relative, non-empty, ``/``-separated components made of
    ``[A-Za-z0-9._-]`` with no ``.``/``..`` component.  This is what keeps every
    operation inside the store's root.
    """
    if type(key) is str and _is_safe_key(key):
        return key
    return _check_key(key, what)


@lru_cache(maxsize=_CACHE_SIZE)
def _is_safe_key(key: str) -> bool:
    try:
        _check_key(key, "key")
    except InvalidInputError:
        return False  # not cached as an error: _check_key raises with the caller's words
    return True


def _check_key(key: str, what: str) -> str:
    if not isinstance(key, str) or not key:
        raise InvalidInputError(f"{what} must be a non-empty string, got {key!r}")
    if "\x00" in key:
        raise InvalidInputError(f"{what} {key!r} contains a NUL character")
    if key.startswith("/") or "\\" in key or "://" in key:
        raise InvalidInputError(f"{what} {key!r} must be relative to the store root")
    for part in key.split("/"):
        if part in ("", ".", ".."):
            raise InvalidInputError(
                f"{what} {key!r} has an empty, '.' or '..' path component"
            )
        if not _SAFE_COMPONENT.match(part):
            raise InvalidInputError(
                f"{what} {key!r} has a component {part!r} outside [A-Za-z0-9._-]"
            )
    return key


def validate_job_id(job_id: str) -> str:
    """Return *job_id* if it has the form fsjobstore gives job IDs, else raise."""
    if not isinstance(job_id, str) or not _JOB_ID.match(job_id) or ".." in job_id:
        raise InvalidInputError(
            f"job ID {job_id!r} is not an fsjobstore job ID "
            "(expected letters, digits, '.', '_' or '-', at most 200 characters)"
        )
    return job_id


def validate_shared_name(shared_name: str) -> str:
    """Return *shared_name* if it is a valid shared-file name, else raise."""
    if (
        not isinstance(shared_name, str)
        or not _SHARED_NAME.match(shared_name)
        or shared_name in (".", "..")
        or shared_name.startswith(TEMP_PREFIX)
    ):
        reserved = isinstance(shared_name, str) and shared_name.startswith(TEMP_PREFIX)
        raise InvalidInputError(
            f"shared file name {shared_name!r} is invalid "
            + (f"(names starting {TEMP_PREFIX!r} are reserved for temporary objects)"
               if reserved else "(expected letters, digits, '.', '_' or '-', not '.' or '..')")
        )
    return shared_name


def safe_basename(name: str | None, default: str = "stream") -> str:
    """A key-safe form of a file's basename: unsafe runs become ``_``, length capped."""
    if not name:
        return default
    base = name.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_CHARS.sub("_", base).strip("_")
    if cleaned.startswith(".") and not base.startswith("."):
        cleaned = "_" + cleaned  # "日本語.csv": not a hidden ".csv"
    if len(cleaned) > _MAX_BASENAME:  # cut the stem, keep a short extension
        stem, dot, extension = cleaned.rpartition(".")
        keep = len(dot + extension) if stem and len(extension) <= 16 else 0
        cleaned = cleaned[:_MAX_BASENAME - keep] + cleaned[len(cleaned) - keep:]
    if cleaned in ("", ".", "..") or cleaned.startswith(TEMP_PREFIX):
        cleaned = "_" + cleaned if cleaned not in ("", ".", "..") else default
    return cleaned


def hinted_basename(name: str | None) -> str:
    """The basename of a hinted slot: :func:`safe_basename`, never all digits.

    Toil numbers a hinted slot's second and later files ``files/<n>/<basename>``,
    so a file named ``files/0`` would stand where slot 0's directory must be.
    """
    cleaned = safe_basename(name)
    return f"_{cleaned}" if cleaned.isdigit() else cleaned


def new_job_id(job_name: str | None) -> str:
    """A fresh job ID: a readable slug of the job's name plus a UUID."""
    # Unsafe runs and runs of dots become "_": a job named "a..b" still gets a valid ID.
    slug = _DOTS.sub("_", _UNSAFE_CHARS.sub("_", job_name or "job")).strip("_.-")[:48] or "job"
    return f"{slug}-{uuid.uuid4().hex}"


@lru_cache(maxsize=_CACHE_SIZE)
def job_key(job_id: str) -> str:
    return f"{JOBS}/{validate_job_id(job_id)}{JOB_SUFFIX}"


def job_id_from_key(key: str) -> str | None:
    """The job ID of a manifest key (``jobs/<id>.json``), or None for other keys."""
    name = key.rsplit("/", 1)[-1]
    if not name.endswith(JOB_SUFFIX) or name.startswith(TEMP_PREFIX):
        return None
    job_id = name[: -len(JOB_SUFFIX)]
    return job_id if _JOB_ID.match(job_id) else None


def shared_key(shared_name: str) -> str:
    return f"{SHARED}/{validate_shared_name(shared_name)}"


def owned_prefix(job_id: str) -> str:
    return f"{OWNED}/{validate_job_id(job_id)}"


def new_file_key(
    basename: str | None, *, owner: str | None, executable: bool
) -> str:
    """The key of a new non-hinted file; ``owner`` is the job that deletes it."""
    leaf = uuid.uuid4().hex + (EXECUTABLE_SUFFIX if executable else "")
    name = safe_basename(basename)
    if owner is not None:
        return f"{owned_prefix(owner)}/{leaf}/{name}"
    return f"{FILES}/{leaf}/{name}"


def hinted_root(executable: bool) -> str:
    return HINTED_EXECUTABLE if executable else HINTED


@dataclass(frozen=True)
class FileKey:
    """What a file ID says about its file."""

    key: str
    executable: bool
    owner: str | None
    hinted: bool


def parse_file_id(file_id: str) -> FileKey:
    """Decode a file ID, raising :class:`InvalidInputError` if it is not one of ours."""
    return _parse_file_id(str(file_id))


@lru_cache(maxsize=_CACHE_SIZE)
def _parse_file_id(file_id: str) -> FileKey:
    # Cached: lru_cache keeps results only, so an invalid ID raises every time.
    key = validate_key(file_id, what="file ID")
    parts = key.split("/")
    if max(map(len, parts)) > _MAX_NAME:
        raise InvalidInputError(
            f"{file_id!r} is not a file ID of an fsjobstore job store "
            f"(a name longer than {_MAX_NAME} characters)"
        )
    top = parts[0]
    if top == OWNED and len(parts) == 4 and _UUID_DIR.match(parts[2]):
        validate_job_id(parts[1])
        return FileKey(key, parts[2].endswith(EXECUTABLE_SUFFIX), parts[1], False)
    if top == FILES and len(parts) == 3 and _UUID_DIR.match(parts[1]):
        return FileKey(key, parts[1].endswith(EXECUTABLE_SUFFIX), None, False)
    if (top in (HINTED, HINTED_EXECUTABLE) and "files" in parts[1:-1] and len(parts) >= 4
            and not parts[-1].isdigit()):  # all digits: a slot's directory (hinted_basename)
        return FileKey(key, top == HINTED_EXECUTABLE, None, True)
    raise InvalidInputError(
        f"{file_id!r} is not a file ID of an fsjobstore job store "
        f"(expected {OWNED}/<job>/<uuid>/<name>, {FILES}/<uuid>/<name> or {HINTED}/...)"
    )


def log_key(read: bool = False, name: str | None = None) -> str:
    """The key of a new log message, or of the read marker for log *name*."""
    if name is None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{uuid.uuid4().hex}{LOG_SUFFIX}"
    return f"{LOGS_READ if read else LOGS}/{validate_key(name, what='log name')}"


#: The name :func:`log_key` gives a log message: a UTC time stamp and 128 random bits.
_LOG_NAME = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{32}" + re.escape(LOG_SUFFIX) + r"\Z")


def is_log_message(key: str) -> bool:
    """Whether *key* is a log message (or its read marker) as only a job store
    names one: no other program's ``logs/`` file is."""
    top, _, name = key.partition("/")
    return top in (LOGS, LOGS_READ) and _LOG_NAME.match(name) is not None


#: A job ID as :func:`new_job_id` makes one ends in "-" and 32 hex digits.
_NEW_JOB_ID_END = re.compile(r"-[0-9a-f]{32}\Z")
#: What Toil's leader writes when a workflow ends (``Leader.create_status_sentinel_file``).
_STATUS_SENTINELS = frozenset({f"{SHARED}/succeeded.log", f"{SHARED}/failed.log"})


def is_late_write(key: str) -> bool:
    """Whether *key* is one a store's leader or workers may still write after the
    store was destroyed (``toil clean`` of a running workflow): a temporary
    object as :func:`temp_sibling` names one, a log message, a file, a job's
    manifest with the random part of its name, or Toil's end-of-run sentinel.
    Only temporary objects and log messages are named as only a store names
    them; the others need proof that the prefix was a store
    (``maintenance.destroy_store``)."""
    if is_store_temp(key) or is_log_message(key) or key in _STATUS_SENTINELS:
        return True
    top = key.split("/", 1)[0]
    if top == JOBS:
        job_id = job_id_from_key(key)
        return (job_id is not None and key == f"{JOBS}/{job_id}{JOB_SUFFIX}"
                and _NEW_JOB_ID_END.search(job_id) is not None)
    if top in (FILES, OWNED, HINTED, HINTED_EXECUTABLE):
        try:
            _parse_file_id(key)
        except InvalidInputError:
            return False
        return True
    return False


#: The name :func:`temp_sibling` gives: 128 random bits between ``.tmp-`` and ``-``.
_STORE_TEMP = re.compile(r"^" + re.escape(TEMP_PREFIX) + r"[0-9a-f]{32}-")


def is_store_temp(key: str) -> bool:
    """Whether *key* is a temporary object as only a job store names one (any
    ``.tmp-`` name is one in a store; without its marker, only these are)."""
    return _STORE_TEMP.match(key.rsplit("/", 1)[-1]) is not None


def is_temp_name(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith(TEMP_PREFIX)


def temp_sibling(key: str) -> str:
    """A fresh temporary key in the same directory as *key*."""
    head, _, leaf = key.rpartition("/")
    # 128 random bits, as uuid4 has, at a fifth of its cost (every write makes one).
    temp = f"{TEMP_PREFIX}{os.urandom(16).hex()}-{leaf}"[:200]
    return f"{head}/{temp}" if head else temp
