"""Bulk deletes and prefix listings on every backend: keys already gone are no
error (another process may have deleted them), and nothing else is touched."""

from __future__ import annotations

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import all_keys


def test_delete_many_removes_what_exists_and_ignores_what_does_not(store: FsspecJobStore) -> None:
    storage = store.storage
    for name in ("a", "b", "keep"):
        storage.write_bytes(f"files/{'0' * 32}/{name}", name.encode())
    before = set(all_keys(store))
    doomed = [f"files/{'0' * 32}/a", f"files/{'1' * 32}/missing", f"files/{'0' * 32}/b"]
    assert storage.delete_many(doomed) == 3
    assert before - set(all_keys(store)) == {doomed[0], doomed[2]}
    assert storage.read_bytes(f"files/{'0' * 32}/keep") == b"keep"


def test_listing_a_prefix_lists_below_it_only(store: FsspecJobStore) -> None:
    storage = store.storage
    for key in ("owned/job-1/u/x", "owned/job-1/v/y", "owned/job-10/u/z", "owned/job-1.json"):
        storage.write_bytes(key, b"k")
    assert sorted(storage.list_keys("owned/job-1")) == ["owned/job-1/u/x", "owned/job-1/v/y"]
    assert storage.list_keys("owned/job-2") == []
    assert storage.delete_prefix("owned/job-1") == 2
    assert sorted(storage.list_keys("owned")) == ["owned/job-1.json", "owned/job-10/u/z"]
