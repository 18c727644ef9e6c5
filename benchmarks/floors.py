"""With injected latency: store operations over N jobs against raw fsspec floors.

The floor of a read-all is ``fs.cat`` of N keys (concurrent, one GET each); the
floors of a delete-all are ``fs.rm`` of keys handed to it (DeleteObjects, 1,000
keys a request) and ``fs.rm(prefix, recursive=True)``, which must list the keys
first, as ``destroy()`` must.  A store operation's rate divided by its floor's rate says how close
to the backend's best it gets.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from benchmarks.measure import Recorder
from benchmarks.stores import BUCKET, StoreKind, discard, open_store
from benchmarks.workload import clean_with_cache, populate

__all__ = ["SECTION", "run_floors"]

SECTION = "floors"
_PAYLOAD = b"x" * 1500  # about the size of a pickled JobDescription


def run_floors(rec: Recorder, workdir: Path, endpoint: str, n: int, toil_n: int) -> None:
    """One repeat of the floors and of both S3 stores at *n* (Toil's at *toil_n*) jobs."""
    _raw(rec, n)
    for kind, count in ((StoreKind("fsjobstore", "s3"), n), (StoreKind("toil", "s3"), toil_n)):
        _store(rec, kind, workdir, endpoint, count)


def _raw(rec: Recorder, n: int) -> None:
    import fsspec

    fs = fsspec.filesystem("s3", skip_instance_cache=True)
    prefix = f"{BUCKET}/floor-{uuid.uuid4().hex[:8]}"
    paths = [f"{prefix}/k{i:06d}" for i in range(n)]
    fs.pipe_file(f"{prefix}/warm-up", b"")  # start the client outside the timings
    fs.rm_file(f"{prefix}/warm-up")
    rec.measure(SECTION, f"fs.pipe of {n} keys (floor)", "raw s3fs", n,
                lambda: fs.pipe(dict.fromkeys(paths, _PAYLOAD)))
    # max_concurrency=1: one GET per key (fsjobstore reads this way too).
    rec.measure(SECTION, f"fs.cat of {n} keys (floor)", "raw s3fs", n,
                lambda: fs.cat(paths, max_concurrency=1))
    # Deleting keys one knows (half of them), and deleting a prefix one must list
    # first (the other half: s3fs lists it, then deletes), as a destroy must.
    half = n // 2
    rec.measure(SECTION, f"fs.rm of {half} keys (floor)", "raw s3fs", half,
                lambda: fs.rm(paths[:half]))
    rec.measure(SECTION, f"fs.rm recursive of {n - half} keys (floor)", "raw s3fs", n - half,
                lambda: fs.rm(prefix, recursive=True))


def _store(rec: Recorder, kind: StoreKind, workdir: Path, endpoint: str, n: int) -> None:
    label = f"{kind.label} (N={n})"
    store: Any = open_store(kind, workdir, endpoint)
    try:
        rec.measure(SECTION, "populate N jobs (batch() where the store has it)", label, n,
                    lambda: populate(store, n, orphans=True))
        rec.measure(SECTION, "jobs() over N jobs", label, n, lambda: list(store.jobs()))
        rec.measure(SECTION, "clean() with job cache, half orphaned", label, n,
                    lambda: clean_with_cache(store))
        rec.measure(SECTION, "destroy() of the rest", label, n, store.destroy)
    except BaseException:
        discard(store)
        raise
