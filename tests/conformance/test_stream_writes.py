"""Write streams on GCS and Azure, and what holds for S3 too: sent in parts as
written (no local spool), atomic, and nothing stored when the stream fails
(S3's requests and failures: test_s3_stream_writes.py)."""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Iterator

import pytest

from fsjobstore import _storage_writes as storage_module
from fsjobstore.errors import BackendError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import all_keys
from tests.conformance._remotes import Remote
from tests.conformance._streams import chunks, content, kill_mid_stream, read, write
from tests.conformance.conftest import initialized
from tests.servers import Backend

PART = storage_module._PART_SIZE
_STREAM_PARTS = storage_module._STREAM_PARTS


class Boom(RuntimeError):
    pass


def first_part(remote: Remote) -> list[str]:
    """The requests that store a stream's first part."""
    # GCS: a session, then its chunks (the last chunk finalises it).
    names = remote.names
    return [names.part] if names.commit else ["start session", names.part]


def uploaded(remote: Remote, parts: int) -> dict[str, int]:
    """The requests of a stream of *parts* parts."""
    names = remote.names
    if names.commit is None:
        return {"start session": 1, names.part: parts}
    return {names.part: parts, names.commit: 1}


@pytest.mark.parametrize("size", [0, 1000, PART])
def test_a_stream_within_one_part_is_one_request(remote: Remote, size: int) -> None:
    with remote.requests() as seen:
        file_id = write(remote.store, size)
    assert seen.counts == {remote.names.upload: 1}
    assert read(remote.store, file_id) == content(size, b"a")


@pytest.mark.parametrize(("size", "parts"), [(PART + 1, 2), (2 * PART + 5, 3)])
def test_a_longer_stream_is_uploaded_in_parts(remote: Remote, size: int, parts: int) -> None:
    with remote.requests() as seen:
        file_id = write(remote.store, size)
    assert seen.counts == uploaded(remote, parts)
    assert read(remote.store, file_id) == content(size, b"a")
    assert remote.store.get_file_size(file_id) == size


def test_parts_are_sent_while_the_caller_writes(remote: Remote) -> None:
    """No spool: the first part is stored before the stream ends."""
    with remote.requests() as seen, remote.store.write_file_stream() as (f, _):
        for piece in chunks(PART + 1024 * 1024, b"a"):
            f.write(piece)
        f._wait_until(0)  # type: ignore[attr-defined]  # part 1 is stored
        assert seen.sequence == first_part(remote)
        assert len(f._buffer) == 1024 * 1024  # type: ignore[attr-defined]


def test_an_exception_mid_stream_stores_nothing(remote: Remote) -> None:
    store = remote.store
    old = write(store, 1000, b"old")
    before = all_keys(store)
    with remote.requests() as seen, pytest.raises(Boom), store.update_file_stream(old) as f:
        for piece in chunks(2 * PART + 1, b"new"):
            f.write(piece)
        raise Boom
    assert remote.names.commit not in seen.sequence
    if remote.names.commit is None:
        assert seen.sequence[-1] == "cancel session"
    assert read(store, old) == content(1000, b"old")
    with pytest.raises(Boom), store.write_file_stream() as (f, _):
        f.write(b"n" * (PART + 1))
        raise Boom
    assert all_keys(store) == before
    # What the failed stream sent is no obstacle to the next write.
    with store.update_file_stream(old) as f:
        for piece in chunks(PART + 3, b"newer"):
            f.write(piece)
    assert read(store, old) == content(PART + 3, b"newer")


@pytest.mark.parametrize("failing", ["part", "last"])
def test_a_failed_request_keeps_the_old_version(remote: Remote, failing: str) -> None:
    """A stream of 3 parts whose 2nd part, or whose completion, fails."""
    old = write(remote.store, 1000, b"old")
    if failing == "part":
        fail = (remote.names.part, 2)
    else:  # GCS completes with its last chunk
        fail = (remote.names.commit, 1) if remote.names.commit else (remote.names.part, 3)
    expected = rf"write {re.escape(old)}.*injected: .* {re.escape(fail[0])}"
    with (remote.requests(fail), pytest.raises(BackendError, match=expected),
          remote.store.update_file_stream(old) as f):
        for piece in chunks(2 * PART + 1, b"new"):
            f.write(piece)
    assert read(remote.store, old) == content(1000, b"old")


def test_writing_on_after_a_failed_part_keeps_the_old_version(remote: Remote) -> None:
    """A caller that catches a failed part's error and writes on stores nothing."""
    old = write(remote.store, 1000, b"old")
    with (remote.requests((remote.names.part, 1)),
          pytest.raises(BackendError, match=f"write {re.escape(old)}"),
          remote.store.update_file_stream(old) as f):
        for piece in chunks((_STREAM_PARTS + 3) * PART + 1, b"new"):  # more than in flight
            with contextlib.suppress(BackendError):  # as a retrying copy loop would
                f.write(piece)
    assert read(remote.store, old) == content(1000, b"old")


def test_a_writer_killed_mid_stream_leaves_the_old_version(remote: Remote) -> None:
    """SIGKILL after a part is stored: the object keeps its old content."""
    old = write(remote.store, 1000, b"old")
    kill_mid_stream(remote.backend, remote.store, old)
    assert read(remote.store, old) == content(1000, b"old")
    assert remote.store.get_file_size(old) == 1000


@pytest.fixture(params=["s3", "gs", "az", "sftp"])
def streamed(request: pytest.FixtureRequest) -> Iterator[FsspecJobStore]:
    """A store on a backend whose write streams are uploaded in parts."""
    yield from initialized(request.getfixturevalue(f"{request.param}_backend"))


def test_no_local_spool_and_bounded_buffers(
    streamed: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing goes to local disk; the writer holds one part being filled plus
    at most the parallel parts in flight, however much is written."""

    def no_disk(*_: object, **__: object) -> None:
        raise AssertionError("a write stream used a local temporary file")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_disk)
    size = 3 * PART + 7
    with streamed.write_file_stream() as (f, file_id):
        for piece in chunks(size, b"a"):
            f.write(piece)
            assert len(f._buffer) <= PART + len(piece)  # type: ignore[attr-defined]
            assert len(f._in_flight) <= storage_module._STREAM_PARTS  # type: ignore[attr-defined]
    assert streamed.get_file_size(str(file_id)) == size
    assert read(streamed, str(file_id)) == content(size, b"a")


def test_text_streams_are_uploaded_in_parts(streamed: FsspecJobStore) -> None:
    line = "ünïcode line\n"
    count = PART // len(line.encode()) + 10
    with streamed.write_file_stream(encoding="utf-8") as (f, file_id):
        for _ in range(count):
            f.write(line)
    assert read(streamed, str(file_id)) == (line * count).encode()


def test_writing_after_close_is_refused(streamed: FsspecJobStore) -> None:
    with streamed.write_file_stream() as (f, file_id):
        f.write(b"kept")
        f.close()
        with pytest.raises(ValueError, match="closed"):
            f.write(b"more")
    assert read(streamed, str(file_id)) == b"kept"


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_a_stream_of_whole_parts_is_stored_whole(streamed: FsspecJobStore, parts: int) -> None:
    """The last part is as long as the others (GCS then finalises with an empty chunk)."""
    file_id = write(streamed, parts * PART)
    assert read(streamed, file_id) == content(parts * PART, b"a")
    assert streamed.get_file_size(file_id) == parts * PART


def test_two_streams_onto_one_azure_blob_the_first_committed_stands(
    az_backend: Backend
) -> None:
    # Azure drops a blob's uncommitted blocks when any writer commits it.
    for store in initialized(az_backend):
        old = write(store, 1000, b"old")
        with (pytest.raises(BackendError, match="another writer stored this blob"),
              store.update_file_stream(old) as first):
            for piece in chunks(2 * PART + 1, b"first"):
                first.write(piece)
            with store.update_file_stream(old) as second:
                for piece in chunks(2 * PART + 1, b"second"):
                    second.write(piece)
        assert read(store, old) == content(2 * PART + 1, b"second")
