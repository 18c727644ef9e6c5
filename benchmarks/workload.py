"""Side by side: the everyday job-store operations, on fresh stores of each kind."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.measure import Recorder
from benchmarks.stores import StoreKind, discard, make_job, open_store

__all__ = ["SECTION", "run_workload"]

SECTION = "operations"
_SMALL = 4096


def run_workload(rec: Recorder, kinds: Sequence[StoreKind], workdir: Path,
                 endpoint: str | None, n: int) -> None:
    """One repeat of every small operation, *n* times each, on fresh stores of *kinds*.

    The stores run in lockstep: each operation is measured on every store before
    the next operation starts.  Operations on single items (create a job, read a
    file, ...) go in chunks of n/8 but at most 50 items, the stores taking turns
    chunk by chunk, so what the machine is doing at the time (disk writeback, a
    journal commit, another process) falls on both alike; whole-store operations
    (``jobs()``, ``clean()``, ...) run once per store, in the order of *kinds*,
    which the caller alternates between repeats, except ``jobs()``, which only
    reads: it runs in several passes, the stores taking turns pass by pass.
    """
    chunk = max(1, min(n // _CHUNKS, _MAX_CHUNK))
    for steps in (_everyday, _clean, _destroy):
        runs = [steps(kind, workdir, endpoint, n, rec.notes) for kind in kinds]
        for turn in zip(*runs, strict=True):
            op, whole, passes = turn[0].op, turn[0].whole, turn[0].passes
            labelled = [(kind.label, step.run) for kind, step in zip(kinds, turn, strict=True)]
            rec.measure_interleaved(SECTION, op, labelled, n * passes, n if whole else chunk)


_CHUNKS = 8
#: A local operation takes 10 µs-1 ms, so a chunk of 50 lasts 1-50 ms: short
#: enough that a stall of the disk or the VM (which lasts tens of milliseconds
#: on this kind of machine) is shared by both stores over many turns.
_MAX_CHUNK = 50
#: Passes of a read-only whole-store operation (``jobs()``) per store and repeat,
#: the stores taking turns (A B, B A, ...): one pass over 4,000 local jobs lasts
#: 0.1-0.5 s, so a single pass is at the mercy of one stall of the machine.
_PASSES = 4


@dataclass(frozen=True)
class Step:
    """One operation: ``run(items)`` does it on the items numbered in *items*, or,
    if *whole*, once over the whole store (and *items* is everything), *passes*
    times."""

    op: str
    run: Callable[[range], object]
    whole: bool = False
    passes: int = 1


def _everyday(kind: StoreKind, workdir: Path, endpoint: str | None, n: int,
              notes: list[str]) -> Iterator[Step]:
    store = open_store(kind, workdir, endpoint)
    try:
        yield from _jobs(store, n)
        yield from _files(store, workdir / kind.impl, n)
        yield from _shared_and_logs(store, kind.label, n, notes)
    finally:
        discard(store)


def _jobs(store: Any, n: int) -> Iterator[Step]:
    jobs = [make_job(store, assign=False) for _ in range(n)]

    def create(items: range) -> None:
        # Toil always assigns the ID just before creating the job; FileJobStore
        # makes the job's directory in assign_job_id, so both are timed.
        for i in items:
            store.assign_job_id(jobs[i])
            store.create_job(jobs[i])

    yield Step("job create (assign_job_id + create_job)", create)
    ids = [str(j.jobStoreID) for j in jobs]
    yield Step("job load", lambda items: [store.load_job(ids[i]) for i in items])
    yield Step("job update", lambda items: [store.update_job(jobs[i]) for i in items])
    yield Step("job exists", lambda items: [store.job_exists(ids[i]) for i in items])
    yield Step(f"jobs() over {n} jobs (per job)", lambda _: list(store.jobs()), whole=True,
               passes=_PASSES)
    yield Step("job delete", lambda items: [store.delete_job(ids[i]) for i in items])


def _small_source(scratch: Path) -> Path:
    """A 4 KiB local file in *scratch* to upload (made once)."""
    scratch.mkdir(parents=True, exist_ok=True)
    src = scratch / "small.bin"
    if not src.exists():
        src.write_bytes(os.urandom(_SMALL))
    return src


def _files(store: Any, scratch: Path, n: int) -> Iterator[Step]:
    src = _small_source(scratch)
    out = scratch / "out"
    out.mkdir(exist_ok=True)
    ids: list[str] = []
    yield Step("file write 4 KiB (write_file)",
               lambda items: ids.extend(store.write_file(str(src)) for _ in items))
    yield Step("file read 4 KiB (read_file)",
               lambda items: [store.read_file(ids[i], str(out / f"r{i}")) for i in items])
    for path in out.iterdir():
        path.unlink()

    def read_streams(items: range) -> None:
        for i in items:
            with store.read_file_stream(ids[i]) as stream:
                stream.read()

    yield Step("file read 4 KiB (read_file_stream)", read_streams)
    yield Step("file exists", lambda items: [store.file_exists(ids[i]) for i in items])
    yield Step("file size", lambda items: [store.get_file_size(ids[i]) for i in items])
    yield Step("file delete", lambda items: [store.delete_file(ids[i]) for i in items])


def _shared_and_logs(store: Any, label: str, n: int, notes: list[str]) -> Iterator[Step]:
    payload = os.urandom(_SMALL)

    def write_shared(items: range) -> None:
        for i in items:
            with store.write_shared_file_stream(f"bench-{i}") as f:
                f.write(payload)

    def read_shared(items: range) -> None:
        for i in items:
            with store.read_shared_file_stream(f"bench-{i}") as f:
                f.read()

    yield Step("shared file write 4 KiB", write_shared)
    yield Step("shared file read 4 KiB", read_shared)
    message = "x" * 200
    yield Step("logs write", lambda items: [store.write_logs(message) for _ in items])
    seen: list[int] = []
    yield Step(f"logs read ({n} messages, per message)",
               lambda _: seen.append(store.read_logs(lambda stream: stream.read())), whole=True)
    if seen and seen[0] != n:
        notes.append(f"{label}: read_logs delivered {seen[0]} of {n} messages")


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


def _clean(kind: StoreKind, workdir: Path, endpoint: str | None, n: int,
           notes: list[str]) -> Iterator[Step]:
    store = open_store(kind, workdir, endpoint)
    try:
        populate(store, n, orphans=True)
        yield Step(f"clean() with job cache, {n} jobs, half orphaned (per job)",
                   lambda _: clean_with_cache(store), whole=True)
    finally:
        discard(store)


def _destroy(kind: StoreKind, workdir: Path, endpoint: str | None, n: int,
             notes: list[str]) -> Iterator[Step]:
    store = open_store(kind, workdir, endpoint)
    ids = populate(store, n, orphans=False)
    src = _small_source(workdir / kind.impl)
    for job_id in ids:
        store.write_file(str(src), job_id, cleanup=True)
    yield Step(f"destroy() of {n} jobs + {n - 1} files (per job)", lambda _: store.destroy(),
               whole=True)
