"""gc's age guard works on every backend: each listing gives an object's age
(FTP's as an MLSD ``modify`` fact), and an object of unknown age is spared."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from toil.common import Config

from fsjobstore._snapshot import take_snapshot
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.maintenance import collect_garbage, verify
from tests.servers import Backend

ORPHAN = "owned/gone-job/" + "5" * 32 + "/body"


def test_a_fresh_orphan_has_an_age_and_is_spared(backend: Backend) -> None:
    """A worker saves a new job's body as a file the job owns before the job's
    manifest exists: a gc in between at the default age must keep it."""
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    store.initialize(Config())
    storage = store.storage
    storage.write_bytes(ORPHAN, b"a job's body, its manifest not yet written")
    problems = verify(storage, take_snapshot(storage))
    (orphan,) = [p for p in problems if p.key == ORPHAN]
    assert orphan.modified is not None
    assert abs(datetime.now(timezone.utc) - orphan.modified) < timedelta(hours=1)
    assert collect_garbage(storage, problems, min_age=timedelta(hours=1), dry_run=False) == []
    assert storage.exists(ORPHAN)
    unknown = replace(orphan, modified=None)  # a listing without times
    assert collect_garbage(storage, [unknown], min_age=timedelta(seconds=1)) == []
    assert collect_garbage(storage, [unknown], min_age=timedelta(0)) == [unknown]
    store.destroy()
