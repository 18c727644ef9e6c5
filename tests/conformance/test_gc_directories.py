"""gc removes the directories its deletions empty, and no other: an empty
directory may be a running writer's, made just before its write."""

from __future__ import annotations

from datetime import timedelta

import pytest
from toil.common import Config

from fsjobstore._snapshot import take_snapshot
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.maintenance import collect_garbage, verify
from tests.servers import Backend

WRITER = "files/" + "4" * 32  # made by a writer, before its write
ORPHAN = "owned/gone-job/" + "3" * 32 + "/orphan.txt"


@pytest.mark.parametrize("backend", ["file", "sftp", "ftp"], indirect=True)
def test_gc_removes_only_the_directories_it_empties(backend: Backend) -> None:
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    store.initialize(Config())
    storage = store.storage
    storage.write_bytes(ORPHAN, b"left by a worker killed mid-job")
    storage.fs.makedirs(storage.path(WRITER), exist_ok=True)
    problems = verify(storage, take_snapshot(storage))
    assert [(p.kind, p.key) for p in problems] == [("orphaned-file", ORPHAN)]
    removed = collect_garbage(storage, problems, min_age=timedelta(0), dry_run=False)
    assert [p.key for p in removed] == [ORPHAN]
    assert storage.fs.isdir(storage.path(WRITER))
    assert not storage.fs.exists(storage.path("owned/gone-job"))
    with storage.fs.open(storage.path(f"{WRITER}/stream"), "wb") as f:  # the writer goes on
        f.write(b"written")
    store.destroy()
