"""destroy() on S3: deletes while listing, names keys it could not delete, keeps the marker."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest

from fsjobstore import _s3_bulk, layout
from fsjobstore.errors import BackendError
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.maintenance import is_store_key
from tests.conformance._counting import RequestCounter

_FILES = 35
_PAGE = 10


@pytest.fixture
def filled(s3_store: FsspecJobStore) -> FsspecJobStore:
    storage = s3_store.storage
    storage.write_many({f"files/{i:032x}/f": b"x" for i in range(_FILES)})
    storage.write_bytes("notes/not-ours.txt", b"a user's object beside the store")
    return s3_store


def _ours(key: str) -> bool:
    return key != layout.MARKER and is_store_key(key)


def test_each_page_is_deleted_while_the_next_is_listed(filled: FsspecJobStore) -> None:
    storage = filled.storage
    before = storage.list_keys_at_root()
    expected = sorted(k for k in before if _ours(k))
    pages = math.ceil(len(before) / _PAGE)
    with RequestCounter(storage.fs) as counter:
        deleted = _s3_bulk.delete_listed(storage.fs, storage.root, _ours, page_size=_PAGE)
    assert sorted(deleted) == expected
    assert sorted(storage.list_keys_at_root()) == [layout.MARKER, "notes/not-ours.txt"]
    assert counter.by_operation["ListObjectsV2"] == pages
    # One DeleteObjects per page holding store keys (the page with only the
    # marker and the user's object, if any, needs none).
    assert counter.by_operation["DeleteObjects"] in (pages - 1, pages)
    # Overlap: the first page's delete goes out before the listing ends.
    sequence = counter.sequence
    last_list = len(sequence) - 1 - sequence[::-1].index("ListObjectsV2")
    assert sequence.index("DeleteObjects") < last_list, sequence


def test_destroy_requests(filled: FsspecJobStore) -> None:
    with RequestCounter(filled.storage.fs) as counter:
        filled.destroy()
    # The marker's HEAD, one page listed and deleted, one listing of unfinished
    # multipart uploads (none), the marker last.
    assert dict(counter.by_operation) == {
        "HeadObject": 1, "ListObjectsV2": 1, "DeleteObjects": 1, "ListMultipartUploads": 1,
        "DeleteObject": 1,
    }
    assert filled.storage.list_keys_at_root() == ["notes/not-ours.txt"]


def test_failed_delete_keeps_the_marker_and_destroy_can_run_again(
    filled: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = filled.storage
    real = _s3_bulk._delete_keys

    async def refused(fs: Any, bucket: str, keys: Sequence[str]) -> None:
        await real(fs, bucket, keys[: len(keys) // 2])  # half deleted, then a failure
        raise PermissionError("injected: access denied on one DeleteObjects")

    monkeypatch.setattr(_s3_bulk, "_delete_keys", refused)
    with pytest.raises(BackendError, match="injected: access denied"):
        filled.destroy()
    monkeypatch.undo()
    assert storage.exists(layout.MARKER)  # an interrupted destroy still finds its store
    assert any(_ours(k) for k in storage.list_keys_at_root())
    filled.destroy()
    assert storage.list_keys_at_root() == ["notes/not-ours.txt"]


def test_delete_errors_name_the_keys() -> None:
    response = {"Errors": [
        {"Key": f"run/files/{i}", "Code": "AccessDenied", "Message": "Access Denied"}
        for i in range(7)
    ]}
    expected = r"7 object\(s\): bkt/run/files/0 \(AccessDenied"
    with pytest.raises(PermissionError, match=expected) as caught:
        _s3_bulk.check_deleted("bkt", response)
    assert "and 2 more" in str(caught.value)
    _s3_bulk.check_deleted("bkt", {"Deleted": []})  # no errors: no exception


def test_page_size_is_checked(s3_store: FsspecJobStore) -> None:
    with pytest.raises(ValueError, match="page_size"):
        _s3_bulk.delete_listed(s3_store.storage.fs, s3_store.storage.root, _ours, page_size=0)


def test_bulk_delete_raises_after_every_batch_ends(
    filled: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = filled.storage
    keys = sorted(k for k in storage.list_keys_at_root() if k.startswith("files/"))
    refused_batch = keys[_PAGE : 2 * _PAGE]
    real = _s3_bulk._delete_keys

    async def refuse_second(fs: Any, bucket: str, batch: Sequence[str]) -> None:
        if batch[0].endswith(refused_batch[0]):
            raise PermissionError("injected: access denied on the second batch")
        await real(fs, bucket, batch)

    monkeypatch.setattr(_s3_bulk, "BATCH", _PAGE)
    monkeypatch.setattr(_s3_bulk, "_delete_keys", refuse_second)
    with pytest.raises(BackendError, match="injected: access denied on the second batch"):
        storage.delete_many(keys)
    # Every other batch was still deleted; only the refused one is left.
    left = sorted(k for k in storage.list_keys_at_root() if k.startswith("files/"))
    assert left == refused_batch
