"""destroy() on S3 aborts the store's unfinished multipart uploads, and only the store's."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from fsjobstore import _s3_uploads, layout
from fsjobstore.errors import BackendError
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.storage import Storage
from tests.conformance._counting import RequestCounter


def _begin(storage: Storage, key: str) -> str:
    """An upload of *key* (below the bucket) with one part sent, never completed."""
    bucket, _, _ = storage.root.partition("/")
    fs = storage.fs
    upload = fs.call_s3("create_multipart_upload", Bucket=bucket, Key=key)
    fs.call_s3("upload_part", Bucket=bucket, Key=key, PartNumber=1,
               UploadId=upload["UploadId"], Body=b"part one of a killed write")
    return str(upload["UploadId"])


def _pending(storage: Storage) -> set[str]:
    bucket, _, _ = storage.root.partition("/")
    listed = storage.fs.call_s3("list_multipart_uploads", Bucket=bucket)
    return {str(u["Key"]) for u in listed.get("Uploads") or []}


@pytest.fixture
def interrupted(s3_store: FsspecJobStore) -> FsspecJobStore:
    """A store with an unfinished upload of its own, beside a user's and a neighbour's."""
    storage = s3_store.storage
    _, _, prefix = storage.root.partition("/")
    _begin(storage, f"{prefix}/files/{'1' * 32}/big.bam")
    _begin(storage, f"{prefix}/notes/not-ours.bin")  # under the root, not a store key
    _begin(storage, f"{prefix}-neighbour/files/{'2' * 32}/big.bam")  # another prefix
    return s3_store


def test_destroy_aborts_only_the_stores_uploads(interrupted: FsspecJobStore) -> None:
    storage = interrupted.storage
    _, _, prefix = storage.root.partition("/")
    interrupted.destroy()
    pending = _pending(storage)
    assert f"{prefix}/files/{'1' * 32}/big.bam" not in pending
    assert {f"{prefix}/notes/not-ours.bin",
            f"{prefix}-neighbour/files/{'2' * 32}/big.bam"} <= pending
    storage.abort_uploads(storage.unfinished_uploads())  # tidy the shared server


def test_destroy_requests_with_an_unfinished_upload(interrupted: FsspecJobStore) -> None:
    with RequestCounter(interrupted.storage.fs) as counter:
        interrupted.destroy()
    assert dict(counter.by_operation) == {
        "HeadObject": 1, "ListObjectsV2": 1, "DeleteObjects": 1,
        "ListMultipartUploads": 1, "AbortMultipartUpload": 1, "DeleteObject": 1,
    }
    # The marker goes last, after the abort: an interrupted destroy finds its store.
    assert counter.sequence[-2:] == ["AbortMultipartUpload", "DeleteObject"]
    storage = interrupted.storage
    storage.abort_uploads(storage.unfinished_uploads())


def test_failed_abort_keeps_the_marker_and_destroy_can_run_again(
    interrupted: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = interrupted.storage

    def broken(*_: Any) -> None:
        raise ConnectionResetError("injected: connection reset during AbortMultipartUpload")

    monkeypatch.setattr(_s3_uploads, "abort_uploads", broken)
    with pytest.raises(BackendError, match=r"abort multipart uploads .*injected"):
        interrupted.destroy()
    assert storage.exists(layout.MARKER)
    monkeypatch.undo()
    interrupted.destroy()
    assert not storage.exists(layout.MARKER)
    assert [u.key for u in storage.unfinished_uploads()] == ["notes/not-ours.bin"]
    storage.abort_uploads(storage.unfinished_uploads())


def test_an_upload_gone_since_it_was_listed_is_not_an_error(s3_store: FsspecJobStore) -> None:
    storage = s3_store.storage
    _, _, prefix = storage.root.partition("/")
    _begin(storage, f"{prefix}/files/{'3' * 32}/x")
    listed = storage.unfinished_uploads()
    storage.abort_uploads(listed)
    storage.abort_uploads(listed)  # NoSuchUpload: already gone
    assert storage.unfinished_uploads() == []


@pytest.mark.parametrize("step", ["list_uploads", "abort_uploads"])
def test_uploads_the_credentials_may_not_touch_do_not_stop_destroy(
    interrupted: FsspecJobStore, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, step: str,
) -> None:
    """s3:ListBucketMultipartUploads and s3:AbortMultipartUpload are permissions of
    their own; a policy without them still destroys the store, with a warning."""
    caplog.set_level(logging.WARNING, logger="fsjobstore")
    storage = interrupted.storage

    def denied(*_: Any) -> None:
        raise PermissionError(f"injected: AccessDenied for {step}")

    monkeypatch.setattr(_s3_uploads, step, denied)
    interrupted.destroy()
    assert not storage.exists(layout.MARKER)
    assert storage.list_keys_at_root() == []
    assert f"injected: AccessDenied for {step}" in caplog.text
    assert "left to the bucket's lifecycle rules" in caplog.text
    monkeypatch.undo()
    storage.abort_uploads(storage.unfinished_uploads())
