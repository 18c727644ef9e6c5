"""Large files: job-store writes and reads against raw fsspec put_file/get_file."""

from __future__ import annotations

import json
import os
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
    """
    src = make_source(workdir, size)
    dst = workdir / "large-out.bin"
    mib = size / _MIB
    runs: list[Callable[[], None]] = [
        lambda: _one_store(rec, StoreKind("fsjobstore", backend), workdir, endpoint, src, dst,
                           mib),
        lambda: _one_store(rec, StoreKind("toil", backend), workdir, endpoint, src, dst, mib),
        lambda: _raw(rec, backend, workdir, src, dst, mib),
    ]
    for i in range(len(runs)):
        runs[(repeat + i) % len(runs)]()


def _one_store(rec: Recorder, kind: StoreKind, workdir: Path, endpoint: str | None,
               src: Path, dst: Path, mib: float) -> None:
    store: Any = open_store(kind, workdir, endpoint)
    label = kind.label
    try:
        ids: list[str] = []
        rec.measure(SECTION, f"write_file {mib:.0f} MiB", label, 1,
                    lambda: ids.append(store.write_file(str(src))), unit="MiB/s", scale=mib)
        rec.measure(SECTION, f"read_file {mib:.0f} MiB", label, 1,
                    lambda: store.read_file(ids[0], str(dst)), unit="MiB/s", scale=mib)
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

        rec.measure(SECTION, f"write_file_stream {mib:.0f} MiB", label, 1, write_stream,
                    unit="MiB/s", scale=mib)
        rec.measure(SECTION, f"read_file_stream {mib:.0f} MiB", label, 1, read_stream,
                    unit="MiB/s", scale=mib)
    finally:
        discard(store)


def _raw(rec: Recorder, backend: str, workdir: Path, src: Path, dst: Path, mib: float) -> None:
    import fsspec

    if backend == "local":
        fs = fsspec.filesystem("file", auto_mkdir=True)
        target = str(workdir / "raw" / "large.bin")
    else:
        fs = fsspec.filesystem("s3", skip_instance_cache=True)
        target = f"{BUCKET}/raw/large.bin"
    label = f"raw fsspec/{backend}"
    rec.measure(SECTION, f"write_file {mib:.0f} MiB", label, 1,
                lambda: fs.put_file(str(src), target), unit="MiB/s", scale=mib)
    rec.measure(SECTION, f"read_file {mib:.0f} MiB", label, 1,
                lambda: fs.get_file(target, str(dst)), unit="MiB/s", scale=mib)
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
