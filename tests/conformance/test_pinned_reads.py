"""A read stream of a large file on GCS, Azure, memory and FTP reads one version of it.

The first 8 MiB come from the request that opens the stream, the rest from
later ones.  A file replaced (or deleted) in between must give the old version
whole or fail with the documented error -- never the old bytes followed by the
new ones, as streams did when the rest was opened with ``fs.open`` (S3 pins its
streams too: test_large_reads.py).  Without a concurrent writer a stream still
reads whole: the first request, then one per 8 MiB, or one for all that is left
on ``read()`` (it was a metadata request, a listing and a download per block on
GCS -- over a thousand for ``read()`` of 11 MiB -- and a HEAD and one Get Blob
per 50 MiB on Azure).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from fsjobstore.errors import BackendError, ObjectNotFoundError
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.storage import SMALL_OBJECT
from tests.conformance._remotes import Remote
from tests.servers import Backend

SIZE = SMALL_OBJECT + 3 * 1024 * 1024 + 17
#: Two ranges after the first request's bytes.
LARGER = 2 * SMALL_OBJECT + 3 * 1024 * 1024 + 17
OLD, NEW = b"A", b"B"

#: FTP: a stream reads the object whole, in one RETR, into a local temporary file.
on_pinned_backends = pytest.mark.parametrize("backend", ["memory", "az", "gs", "ftp"],
                                             indirect=True)
#: Where a stream holds its version whole: never an error.
HOLDS_ITS_VERSION = ("memory", "ftp")


def _write(store: FsspecJobStore, size: int) -> str:
    with store.write_file_stream() as (f, file_id):
        f.write(OLD * size)
    return file_id


def _replace(store: FsspecJobStore, file_id: str, size: int) -> None:
    with store.update_file_stream(file_id) as f:
        f.write(NEW * size)


def _read_across(
    store: FsspecJobStore, file_id: str, first: int, change: Callable[[], None]
) -> bytes | OSError:
    """What a stream reads of *file_id* when *change* runs after its first
    *first* bytes: all of them, or the error the rest raised."""
    with store.read_file_stream(file_id) as f:
        data: bytes = f.read(first)
        change()
        try:
            rest: bytes = f.read()
            return data + rest
        except OSError as exc:
            return exc


def _one_version(backend: Backend, outcome: bytes | OSError, size: int) -> None:
    if isinstance(outcome, bytes):
        assert outcome.count(NEW) == 0, f"mixed: {outcome.count(OLD)} old, {outcome.count(NEW)} new"
        assert outcome == OLD * size
    else:
        assert isinstance(outcome, BackendError), repr(outcome)
        assert "changed while being read" in str(outcome)
    if backend.name in HOLDS_ITS_VERSION:
        assert isinstance(outcome, bytes)


@on_pinned_backends
@pytest.mark.parametrize("new_size", [LARGER, SMALL_OBJECT // 2], ids=["same-size", "smaller"])
@pytest.mark.parametrize("first", [SMALL_OBJECT - 10, SMALL_OBJECT + 1024],
                         ids=["within-first-request", "one-range-read"])
def test_a_file_replaced_mid_read_is_read_old_whole_or_fails(
    backend: Backend, store: FsspecJobStore, first: int, new_size: int
) -> None:
    file_id = _write(store, LARGER)
    outcome = _read_across(store, file_id, first, lambda: _replace(store, file_id, new_size))
    _one_version(backend, outcome, LARGER)
    with store.read_file_stream(file_id) as f:  # a new stream reads the new version
        assert f.read() == NEW * new_size


@on_pinned_backends
def test_a_seek_after_the_file_changed_never_mixes_versions(
    backend: Backend, store: FsspecJobStore
) -> None:
    file_id = _write(store, SIZE)
    with store.read_file_stream(file_id) as f:
        assert f.read(1024) == OLD * 1024
        _replace(store, file_id, SIZE)
        assert f.seek(-100, io.SEEK_END) == SIZE - 100  # the size of the version read
        try:
            assert f.read() == OLD * 100
        except BackendError as exc:
            assert backend.name not in HOLDS_ITS_VERSION
            assert "changed while being read" in str(exc)
        f.seek(10)  # the first request's bytes are still that version's
        assert f.read(10) == OLD * 10


@on_pinned_backends
def test_a_file_deleted_mid_read_is_read_whole_or_missing(
    backend: Backend, store: FsspecJobStore
) -> None:
    file_id = _write(store, SIZE)
    outcome = _read_across(store, file_id, 1024, lambda: store.delete_file(file_id))
    if backend.name in HOLDS_ITS_VERSION:
        assert outcome == OLD * SIZE
    else:
        assert isinstance(outcome, ObjectNotFoundError), repr(outcome)


@pytest.mark.parametrize("size", [SIZE, LARGER], ids=["one-range", "two-ranges"])
def test_an_unchanged_large_file_reads_whole_in_few_requests(remote: Remote, size: int) -> None:
    store, download = remote.store, remote.names.download
    file_id = _write(store, size)
    with remote.requests() as seen, store.read_file_stream(file_id) as f:
        assert f.read() == OLD * size
    assert seen.sequence == [download] * 2  # the first 8 MiB, then the rest in one range
    with remote.requests() as seen, store.read_file_stream(file_id) as f:
        pieces = []
        while piece := f.read(1024 * 1024):
            pieces.append(piece)
    assert b"".join(pieces) == OLD * size
    ranges = -(-(size - SMALL_OBJECT) // SMALL_OBJECT)  # 8 MiB a range, none fetched twice
    assert seen.sequence == [download] * (1 + ranges)


@pytest.mark.parametrize("backend", ["gs"], indirect=True)
def test_a_server_ignoring_the_generation_asked_for_is_caught(
    store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    fs = store.storage.fs
    real_url = fs.url
    monkeypatch.setattr(fs, "url", lambda path, generation=None: real_url(path))
    file_id = _write(store, SIZE)
    outcome = _read_across(store, file_id, 1024, lambda: _replace(store, file_id, SIZE))
    assert isinstance(outcome, BackendError), repr(outcome)  # the answer's generation differs
    assert "changed while being read" in str(outcome)


@pytest.mark.parametrize("backend", ["gs"], indirect=True)
def test_a_failed_first_read_is_not_retried_whole(
    store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only an empty object's refused range (416) is read again without a range:
    # any other failure must not fetch a large object whole into memory.
    from gcsfs.retry import HttpError

    file_id = _write(store, SIZE)
    fs = store.storage.fs
    real_call = fs.call
    unranged: list[str] = []

    def call(method: str, path: str, *args: object, **kwargs: object) -> object:
        headers = kwargs.get("headers") or {}
        if "Range" in headers:  # type: ignore[operator]
            raise HttpError({"code": 503, "message": "injected: backend unavailable"})
        unranged.append(path)
        return real_call(method, path, *args, **kwargs)

    monkeypatch.setattr(fs, "call", call)
    with pytest.raises(BackendError, match="injected: backend unavailable"):
        store.read_file_stream(file_id).__enter__()
    assert unranged == []
