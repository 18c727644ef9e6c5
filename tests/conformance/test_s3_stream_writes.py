"""Write streams on S3: their requests, aborted on failure, and what a killed
writer leaves (what holds on GCS and Azure too: test_stream_writes.py)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fsspec.asyn import sync

from fsjobstore import _s3_writer
from fsjobstore import _storage_writes as storage_module
from fsjobstore.errors import BackendError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._counting import RequestCounter
from tests.conformance._streams import chunks, content, kill_mid_stream, read, write
from tests.servers import Backend

PART = storage_module._PART_SIZE


class Boom(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def _no_uploads_left(s3_store: FsspecJobStore) -> Iterator[None]:
    yield
    assert s3_store.storage.unfinished_uploads() == []


@pytest.mark.parametrize("size", [0, 1000, PART])
def test_a_stream_within_one_part_is_one_put(s3_store: FsspecJobStore, size: int) -> None:
    with RequestCounter(s3_store.storage.fs) as counter:
        file_id = write(s3_store, size)
    assert dict(counter.by_operation) == {"PutObject": 1}
    assert read(s3_store, file_id) == content(size, b"a")


@pytest.mark.parametrize(("size", "parts"), [(PART + 1, 2), (2 * PART + 5, 3)])
def test_a_longer_stream_is_uploaded_in_parts(
    s3_store: FsspecJobStore, size: int, parts: int
) -> None:
    with RequestCounter(s3_store.storage.fs) as counter:
        file_id = write(s3_store, size)
    assert dict(counter.by_operation) == {
        "CreateMultipartUpload": 1, "UploadPart": parts, "CompleteMultipartUpload": 1,
    }
    assert read(s3_store, file_id) == content(size, b"a")
    assert s3_store.get_file_size(file_id) == size


def test_parts_are_sent_while_the_caller_writes(s3_store: FsspecJobStore) -> None:
    """No spool: the first part is on its way before the stream ends."""
    with RequestCounter(s3_store.storage.fs) as counter, s3_store.write_file_stream() as (f, _):
        for piece in chunks(PART + 1024 * 1024, b"a"):
            f.write(piece)
        assert counter.sequence[0] == "CreateMultipartUpload"
        # Part 1 is sent (or being sent) now; the rest waits for the commit.
        assert len(f._in_flight) + len(f._parts) == 1  # type: ignore[attr-defined]
        assert len(f._buffer) == 1024 * 1024  # type: ignore[attr-defined]


def test_an_exception_mid_stream_aborts_the_upload(s3_store: FsspecJobStore) -> None:
    old = write(s3_store, 1000, b"old")
    with (RequestCounter(s3_store.storage.fs) as counter, pytest.raises(Boom),
          s3_store.update_file_stream(old) as f):
        for piece in chunks(2 * PART + 1, b"new"):
            f.write(piece)
        raise Boom
    assert counter.sequence[-1] == "AbortMultipartUpload"
    assert "CompleteMultipartUpload" not in counter.sequence
    assert read(s3_store, old) == content(1000, b"old")


@pytest.mark.parametrize("failing", ["upload_part", "complete_multipart_upload"])
def test_a_failed_request_keeps_the_old_version(
    s3_store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    old = write(s3_store, 1000, b"old")
    # The second part, or the completion (which names no part).
    fail_calls(s3_store, monkeypatch, failing, (None, 2))
    expected = rf"write {re.escape(old)}.*injected: .* {failing}"
    with pytest.raises(BackendError, match=expected), s3_store.update_file_stream(old) as f:
        for piece in chunks(2 * PART + 1, b"new"):
            f.write(piece)
    monkeypatch.undo()
    assert read(s3_store, old) == content(1000, b"old")


def test_writing_on_after_a_failed_part_keeps_the_old_version(
    s3_store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller that catches a failed part's error and writes on (as a retrying
    copy loop would) completes no upload, and the upload is aborted."""
    old = write(s3_store, 1000, b"old")
    fail_calls(s3_store, monkeypatch, "upload_part", (1,))
    with (RequestCounter(s3_store.storage.fs) as counter,
          pytest.raises(BackendError, match=f"write {re.escape(old)}"),
          s3_store.update_file_stream(old) as f):
        for piece in chunks((storage_module._STREAM_PARTS + 3) * PART + 1, b"new"):
            with contextlib.suppress(BackendError):
                f.write(piece)
    monkeypatch.undo()
    # The refused writes and commit send nothing (translating the failure asks
    # once whether the bucket is there); the upload is aborted.
    assert counter.sequence[-1] == "AbortMultipartUpload"
    assert counter.by_operation["HeadBucket"] == 1
    assert counter.by_operation["UploadPart"] <= storage_module._STREAM_PARTS
    assert "CompleteMultipartUpload" not in counter.sequence
    assert read(s3_store, old) == content(1000, b"old")


def fail_calls(
    store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch, failing: str,
    part_numbers: tuple[int | None, ...],
) -> None:
    """Make the S3 call *failing* raise for the given part numbers (None: a
    call that names no part)."""
    fs = store.storage.fs
    real = fs._call_s3

    async def flaky(method: str, *args: Any, **kwargs: Any) -> Any:
        if method == failing and kwargs.get("PartNumber") in part_numbers:
            raise ConnectionResetError(f"injected: connection reset during {method}")
        return await real(method, *args, **kwargs)

    def flaky_sync(method: str, *args: Any, **kwargs: Any) -> Any:
        return sync(fs.loop, flaky, method, *args, **kwargs)

    monkeypatch.setattr(fs, "_call_s3", flaky)
    monkeypatch.setattr(fs, "call_s3", flaky_sync)


def test_a_writer_killed_mid_stream_leaves_the_old_version(
    s3_backend: Backend, s3_store: FsspecJobStore
) -> None:
    """SIGKILL after a part is stored: the old version stays, and destroy() aborts
    the upload left behind (the autouse check above finds none)."""
    old = write(s3_store, 1000, b"old")
    kill_mid_stream(s3_backend, s3_store, old)
    assert read(s3_store, old) == content(1000, b"old")
    left = s3_store.storage.unfinished_uploads()
    assert [upload.key for upload in left] == [old]
    s3_store.destroy()


def test_parts_grow_to_stay_within_the_part_limit(
    s3_store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scaled down: parts grow every 3 parts, and a 9th part of 8 is refused."""
    monkeypatch.setattr(_s3_writer.S3Writer, "parts_per_step", 3)
    monkeypatch.setattr(_s3_writer.S3Writer, "max_parts", 8)
    storage = s3_store.storage
    fs = storage.fs
    real = fs._call_s3
    sizes: list[int] = []

    async def recording(method: str, *args: Any, **kwargs: Any) -> Any:
        if method == "upload_part":
            sizes.append(len(kwargs["Body"]))
        return await real(method, *args, **kwargs)

    monkeypatch.setattr(fs, "_call_s3", recording)
    writer = _s3_writer.S3Writer(fs, storage.path("files/parts"), part_size=1024, parallel=2,
                                 errors=storage._errors("files/parts", "write"))
    with pytest.raises(BackendError, match=r"write files/parts .*more than 8 parts"):
        for _ in range(40):
            writer.write(b"p" * 512)
    writer.discard()
    assert sizes == [1024] * 3 + [2048] * 3 + [3072] * 2
    assert not storage.exists("files/parts")
