"""Large files: job-store writes and reads against raw fsspec put_file/get_file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.measure import Recorder
from benchmarks.stores import BUCKET, StoreKind, discard, open_store

__all__ = ["SECTION", "make_source", "peak_rss", "run_large"]

SECTION = "large files"
_CHUNK = 1024 * 1024
_MIB = 1024 * 1024


def make_source(workdir: Path, size: int) -> Path:
    src = workdir / f"large-{size}.bin"
    if not src.exists() or src.stat().st_size != size:
        with src.open("wb") as f:
            block = os.urandom(_CHUNK)
            for _ in range(size // _CHUNK):
                f.write(block)
    return src


def run_large(rec: Recorder, backend: str, workdir: Path, endpoint: str | None,
              size: int, repeat: int) -> None:
    """One repeat: each store's four large-file paths, and the raw fsspec floor.

    The three go in turn, starting with a different one in each repeat: the first
    large write after another's pays for reclaiming the page cache it filled, and
    that should not always fall on the same store (the median drops it).
    Each measurement starts right after a scratch file of the same size is written
    and deleted (see :func:`_warm`).
    """
    src = make_source(workdir, size)
    dst = workdir / "large-out.bin"
    mib = size / _MIB
    timer = _Timer(rec, src, workdir / "warm-up.bin", mib)
    runs: list[Callable[[], None]] = [
        lambda: _one_store(timer, StoreKind("fsjobstore", backend), workdir, endpoint, src,
                           dst),
        lambda: _one_store(timer, StoreKind("toil", backend), workdir, endpoint, src, dst),
        lambda: _raw(timer, backend, workdir, src, dst),
    ]
    for i in range(len(runs)):
        runs[(repeat + i) % len(runs)]()


class _Timer:
    """Times one large-file operation of a store, from the same memory state each time."""

    def __init__(self, rec: Recorder, src: Path, scratch: Path, mib: float) -> None:
        self.rec, self.src, self.scratch, self.mib = rec, src, scratch, mib

    def __call__(self, op: str, label: str, fn: Callable[[], object]) -> None:
        _warm(self.src, self.scratch)
        self.rec.measure(SECTION, f"{op} {self.mib:.0f} MiB", label, 1, fn, unit="MiB/s",
                         scale=self.mib)


def _warm(src: Path, scratch: Path) -> None:
    """Write a copy of *src* in 1 MiB writes and delete it, so that the next
    measurement reuses memory the guest holds.

    This VM (Firecracker, virtio-balloon free page reporting) hands large blocks of
    free memory back to its host a few seconds after they are freed
    (``/sys/module/page_reporting/parameters/reported_kib`` grows).  A write whose
    page cache lands on such memory takes a host fault per page: 256 MiB in 1 MiB
    writes took 400-850 ms instead of 50-90 ms, for Toil's store and fsjobstore
    alike, mostly in the first stream write of a repeat.  A copy
    with ``sendfile`` does not help (the stream's writes still ran slow after one),
    so the scratch file is written the way a stream is; the measurement that
    follows then finds the blocks it just freed.  Elsewhere it costs a copy and
    changes nothing.
    """
    with src.open("rb") as f, scratch.open("wb") as out:
        shutil.copyfileobj(f, out, _CHUNK)  # read and write 1 MiB at a time, no sendfile
    scratch.unlink()


def _one_store(timer: _Timer, kind: StoreKind, workdir: Path, endpoint: str | None,
               src: Path, dst: Path) -> None:
    store: Any = open_store(kind, workdir, endpoint)
    label = kind.label
    try:
        ids: list[str] = []
        timer("write_file", label, lambda: ids.append(store.write_file(str(src))))
        timer("read_file", label, lambda: store.read_file(ids[0], str(dst)))
        dst.unlink()
        store.delete_file(ids[0])

        def write_stream() -> None:
            with store.write_file_stream() as (out, file_id), src.open("rb") as f:
                while block := f.read(_CHUNK):
                    out.write(block)
            ids.append(file_id)

        def read_stream() -> None:
            with store.read_file_stream(ids[-1]) as stream:
                while stream.read(_CHUNK):
                    pass

        timer("write_file_stream", label, write_stream)
        timer("read_file_stream", label, read_stream)
    finally:
        discard(store)


def _raw(timer: _Timer, backend: str, workdir: Path, src: Path, dst: Path) -> None:
    import fsspec

    if backend == "local":
        fs = fsspec.filesystem("file", auto_mkdir=True)
        target = str(workdir / "raw" / "large.bin")
    else:
        fs = fsspec.filesystem("s3", skip_instance_cache=True)
        target = f"{BUCKET}/raw/large.bin"
    label = f"raw fsspec/{backend}"
    timer("write_file", label, lambda: fs.put_file(str(src), target))
    timer("read_file", label, lambda: fs.get_file(target, str(dst)))
    dst.unlink()
    fs.rm_file(target)


def peak_rss(impl: str, backend: str, size: int, endpoint: str, workdir: Path,
             env: dict[str, str]) -> dict[str, float]:
    """Peak RSS of a child process writing *size* bytes through write_file_stream."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.memchild", impl, backend, str(size), endpoint,
         str(workdir)],
        env={**os.environ, **env}, capture_output=True, text=True, timeout=1800, check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if result.returncode != 0:
        raise RuntimeError(f"memchild {impl} failed:\n{result.stderr[-3000:]}")
    value: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return value
