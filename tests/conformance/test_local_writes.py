"""Local empty objects (log delivery markers) are created in one step, still atomically."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fsjobstore.errors import ObjectExistsError
from fsjobstore.storage import Storage


@pytest.fixture
def storage(tmp_path: Path) -> Storage:
    return Storage(f"file://{tmp_path}/store")


def _names(storage: Storage) -> list[str]:
    return sorted(p.name for p in Path(storage.root).rglob("*") if p.is_file())


def test_empty_object_is_created_without_a_temporary(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rename(*_: object) -> None:
        raise AssertionError("an empty new object needs no rename")

    monkeypatch.setattr("fsjobstore.storage.os.replace", no_rename)
    storage.write_bytes("logs/read/m1", b"")
    assert storage.read_bytes("logs/read/m1") == b""
    assert _names(storage) == ["m1"]


def test_empty_write_replaces_an_existing_object_atomically(storage: Storage) -> None:
    storage.write_bytes("shared/x", b"old content")
    inode = os.stat(Path(storage.root, "shared/x")).st_ino
    storage.write_bytes("shared/x", b"")
    assert storage.read_bytes("shared/x") == b""
    # A new file renamed over the old one (never truncated in place under a reader).
    assert os.stat(Path(storage.root, "shared/x")).st_ino != inode
    assert _names(storage) == ["x"]


def test_exclusive_empty_write_refuses_an_existing_object(storage: Storage) -> None:
    storage.write_bytes("shared/y", b"kept")
    with pytest.raises(ObjectExistsError):
        storage.write_bytes("shared/y", b"", exclusive=True)
    assert storage.read_bytes("shared/y") == b"kept"
