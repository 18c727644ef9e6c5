"""destroy() is idempotent, works without resume(), and never deletes what is not a store."""

from __future__ import annotations

import os

import pytest
from toil.common import Config

from fsjobstore.errors import NotAJobStoreError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import all_keys, new_job
from tests.servers import Backend


def _populated(backend: Backend) -> tuple[str, FsspecJobStore]:
    """A new store holding a job, a file it owns, a shared file and a log message."""
    url = backend.new_url()
    store = FsspecJobStore(url, **backend.storage_options)
    store.initialize(Config())
    job = new_job(store)
    with store.write_file_stream(job.jobStoreID, cleanup=True) as (f, _):
        f.write(b"data")
    with store.write_shared_file_stream("shared.txt") as f:
        f.write(b"shared")
    store.write_logs("log")
    return url, store


def test_destroy_without_resume_removes_everything(backend: Backend) -> None:
    url, store = _populated(backend)
    cleaner = FsspecJobStore(url, **backend.storage_options)
    cleaner.destroy()
    assert all_keys(cleaner) == []
    assert not cleaner.storage.fs.exists(cleaner.storage.root)  # no empty directories left
    cleaner.destroy()  # idempotent
    store.destroy()


def test_destroy_refuses_prefix_without_marker(backend: Backend) -> None:
    url = backend.new_url()
    store = FsspecJobStore(url, **backend.storage_options)
    store.storage.write_bytes("jobs/precious.json", b"{}")
    with pytest.raises(NotAJobStoreError, match=r"no fsjobstore\.json marker"):
        store.destroy()
    assert store.storage.exists("jobs/precious.json")
    store.storage.delete("jobs/precious.json")
    store.destroy()  # nothing left but (on local and SFTP) empty directories
    assert not store.storage.fs.exists(store.storage.root)


def test_destroy_leaves_foreign_objects(backend: Backend) -> None:
    """A store at a prefix shared with other data removes only its own keys."""
    url = backend.new_url()
    store = FsspecJobStore(url, **backend.storage_options)
    store.initialize(Config())
    store.storage.write_bytes("not-ours/keep.txt", b"keep")
    store.destroy()
    assert all_keys(store) == ["not-ours/keep.txt"]
    store.storage.delete("not-ours/keep.txt")


def test_destroy_beside_foreign_objects_leaves_no_empty_directories(backend: Backend) -> None:
    """Where directories are real, the store's own empty ones go (SFTP kept them, and
    a new store was then refused there once the user removed their file)."""
    url, store = _populated(backend)
    store.storage.write_bytes("keep.txt", b"keep")
    store.destroy()
    fs, root = store.storage.fs, store.storage.root
    if store.storage.capabilities.needs_dirs:
        top = root.rstrip("/")
        left = [p.rstrip("/") for p in fs.find(root, withdirs=True)]
        assert [p.removeprefix(top + "/") for p in left if p != top] == ["keep.txt"]
    store.storage.delete("keep.txt")
    again = FsspecJobStore(url, **backend.storage_options)
    again.initialize(Config())
    again.destroy()


@pytest.mark.parametrize("backend", ["file", "sftp", "ftp"], indirect=True)  # real directories
def test_destroy_leaves_someone_elses_empty_directories(backend: Backend) -> None:
    """Only the store's own directories go: ``mydata/empty`` beside it, and the
    root holding it, stay (every empty directory under the root went)."""
    _, store = _populated(backend)
    assert store.storage.capabilities.needs_dirs
    fs, root = store.storage.fs, store.storage.root.rstrip("/")
    fs.makedirs(f"{root}/mydata/empty", exist_ok=True)
    store.destroy()
    assert fs.isdir(f"{root}/mydata/empty")
    assert [p.rstrip("/").removeprefix(root + "/") for p in fs.find(root, withdirs=True)
            if p.rstrip("/") != root] == ["mydata", "mydata/empty"]
    fs.rm(f"{root}/mydata", recursive=True)


@pytest.mark.parametrize("backend", ["file", "sftp", "ftp"], indirect=True)
def test_destroy_of_no_store_leaves_empty_directories_named_like_a_stores(
    backend: Backend,
) -> None:
    """Nothing of a store's to delete beside other data: "nothing deleted", and so
    it is (its empty ``jobs/`` and ``logs/archive/2024/`` went)."""
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    fs, root = store.storage.fs, store.storage.root.rstrip("/")
    store.storage.write_bytes("README.txt", b"not a store")
    for directory in ("jobs", "logs/archive/2024"):
        fs.makedirs(f"{root}/{directory}", exist_ok=True)
    store.destroy()
    assert fs.isdir(f"{root}/jobs") and fs.isdir(f"{root}/logs/archive/2024")
    fs.rm(root, recursive=True)


def test_destroy_does_not_follow_a_top_level_symbolic_link(
    tmp_path: os.PathLike[str],
) -> None:
    """``files/`` linked to another disk: empty directories there are not the store's."""
    store = FsspecJobStore(f"file://{tmp_path}/store")
    store.initialize(Config())
    elsewhere = os.path.join(tmp_path, "elsewhere")
    os.makedirs(os.path.join(elsewhere, "emptydir"))
    os.symlink(elsewhere, os.path.join(tmp_path, "store", "logs.read"))
    store.destroy()
    assert os.path.isdir(os.path.join(elsewhere, "emptydir"))


def test_initialize_refuses_non_empty_prefix(backend: Backend) -> None:
    url = backend.new_url()
    store = FsspecJobStore(url, **backend.storage_options)
    store.storage.write_bytes("someone/else.txt", b"x")
    with pytest.raises(NotAJobStoreError, match="not a job store"):
        store.initialize(Config())
    store.storage.delete("someone/else.txt")
