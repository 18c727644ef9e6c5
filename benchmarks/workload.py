"""Side by side: the everyday job-store operations, on fresh stores of each kind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from benchmarks.measure import Recorder
from benchmarks.stores import StoreKind, discard, make_job, open_store

__all__ = ["SECTION", "run_workload"]

SECTION = "operations"
_SMALL = 4096


def run_workload(rec: Recorder, kind: StoreKind, workdir: Path, endpoint: str | None,
                 n: int) -> None:
    """One repeat of every small operation, *n* times each, on a fresh store."""
    label = kind.label
    store = open_store(kind, workdir, endpoint)
    try:
        _jobs(rec, store, label, n)
        _files(rec, store, label, workdir, n)
        _shared_and_logs(rec, store, label, n)
    finally:
        discard(store)
    _clean(rec, kind, workdir, endpoint, n)
    _destroy(rec, kind, workdir, endpoint, n)


def _m(rec: Recorder, op: str, label: str, n: int, fn: Any) -> None:
    rec.measure(SECTION, op, label, n, fn)


def _jobs(rec: Recorder, store: Any, label: str, n: int) -> None:
    jobs = [make_job(store, assign=False) for _ in range(n)]

    def create() -> None:
        # Toil always assigns the ID just before creating the job; FileJobStore
        # makes the job's directory in assign_job_id, so both are timed.
        for job in jobs:
            store.assign_job_id(job)
            store.create_job(job)

    _m(rec, "job create (assign_job_id + create_job)", label, n, create)
    ids = [str(j.jobStoreID) for j in jobs]
    _m(rec, "job load", label, n, lambda: [store.load_job(i) for i in ids])
    _m(rec, "job update", label, n, lambda: [store.update_job(j) for j in jobs])
    _m(rec, "job exists", label, n, lambda: [store.job_exists(i) for i in ids])
    _m(rec, f"jobs() over {n} jobs (per job)", label, n, lambda: list(store.jobs()))
    _m(rec, "job delete", label, n, lambda: [store.delete_job(i) for i in ids])


def _files(rec: Recorder, store: Any, label: str, workdir: Path, n: int) -> None:
    src = workdir / "small.bin"
    if not src.exists():
        src.write_bytes(os.urandom(_SMALL))
    out = workdir / "out"
    out.mkdir(exist_ok=True)
    ids: list[str] = []
    _m(rec, "file write 4 KiB (write_file)", label, n,
       lambda: ids.extend(store.write_file(str(src)) for _ in range(n)))
    _m(rec, "file read 4 KiB (read_file)", label, n,
       lambda: [store.read_file(f, str(out / f"r{i}")) for i, f in enumerate(ids)])
    for path in out.iterdir():
        path.unlink()

    def read_streams() -> None:
        for f in ids:
            with store.read_file_stream(f) as stream:
                stream.read()

    _m(rec, "file read 4 KiB (read_file_stream)", label, n, read_streams)
    _m(rec, "file exists", label, n, lambda: [store.file_exists(f) for f in ids])
    _m(rec, "file size", label, n, lambda: [store.get_file_size(f) for f in ids])
    _m(rec, "file delete", label, n, lambda: [store.delete_file(f) for f in ids])


def _shared_and_logs(rec: Recorder, store: Any, label: str, n: int) -> None:
    payload = os.urandom(_SMALL)

    def write_shared() -> None:
        for i in range(n):
            with store.write_shared_file_stream(f"bench-{i}") as f:
                f.write(payload)

    def read_shared() -> None:
        for i in range(n):
            with store.read_shared_file_stream(f"bench-{i}") as f:
                f.read()

    _m(rec, "shared file write 4 KiB", label, n, write_shared)
    _m(rec, "shared file read 4 KiB", label, n, read_shared)
    message = "x" * 200
    _m(rec, "logs write", label, n, lambda: [store.write_logs(message) for _ in range(n)])
    seen: list[int] = []
    _m(rec, f"logs read ({n} messages, per message)", label, n,
       lambda: seen.append(store.read_logs(lambda stream: stream.read())))
    if seen and seen[0] != n:
        rec.notes.append(f"{label}: read_logs delivered {seen[0]} of {n} messages")


def populate(store: Any, n: int, *, orphans: bool) -> list[str]:
    """A root job with n-1 children; with *orphans*, half the children are unlinked."""
    root = make_job(store, "root")
    children = [make_job(store, "child") for _ in range(n - 1)]
    for i, child in enumerate(children):
        if not orphans or i % 2 == 0:
            root.addChild(child.jobStoreID)
    writer = getattr(store, "batch", None)
    if writer is not None:
        with store.batch():
            for job in [root, *children]:
                store.create_job(job)
    else:
        for job in [root, *children]:
            store.create_job(job)
    store.set_root_job(str(root.jobStoreID))
    return [str(j.jobStoreID) for j in children]


def clean_with_cache(store: Any) -> None:
    """What Toil's leader does on restart: load every job once, then clean()."""
    cache = {str(j.jobStoreID): j for j in store.jobs()}
    store.clean(cache)


def _clean(rec: Recorder, kind: StoreKind, workdir: Path, endpoint: str | None,
           n: int) -> None:
    store = open_store(kind, workdir, endpoint)
    try:
        populate(store, n, orphans=True)
        _m(rec, f"clean() with job cache, {n} jobs, half orphaned (per job)", kind.label, n,
           lambda: clean_with_cache(store))
    finally:
        discard(store)


def _destroy(rec: Recorder, kind: StoreKind, workdir: Path, endpoint: str | None,
             n: int) -> None:
    store = open_store(kind, workdir, endpoint)
    ids = populate(store, n, orphans=False)
    src = workdir / "small.bin"
    for job_id in ids:
        store.write_file(str(src), job_id, cleanup=True)
    _m(rec, f"destroy() of {n} jobs + {n - 1} files (per job)", kind.label, n, store.destroy)
