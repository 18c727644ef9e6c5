"""``python -m benchmarks``: fsjobstore against Toil's own job stores, side by side.

Measures; never asserts.  See ``docs/performance.md`` for what each table means.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from benchmarks import floors, large, workload
from benchmarks.measure import Recorder
from benchmarks.report import MARK_END, MARK_START, render
from benchmarks.servers import aws_env, s3_servers
from benchmarks.stores import BUCKET, StoreKind, store_kinds
from benchmarks.workflow import run_workflow

_MIB = 1024 * 1024

#: (full, quick) sizes of every section.
SIZES: dict[str, tuple[int, int]] = {
    "ops": (200, 30),  # operations per measurement (S3)
    # Local operations take microseconds: many more per measurement, so that one
    # measurement is not a few milliseconds of page-cache and journal noise.
    "local_ops": (4000, 1000),
    "floor_jobs": (10_000, 500),  # N for the latency floors (fsjobstore)
    "floor_jobs_toil": (2_000, 200),  # N for Toil's AWSJobStore there (it is slower)
    "large": (256 * _MIB, 32 * _MIB),
    "rss": (1024 * _MIB, 128 * _MIB),
    "workflow_jobs": (1000, 100),
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a few minutes)")
    parser.add_argument("--backend", choices=("local", "s3", "all"), default="all")
    parser.add_argument("--latency-ms", type=float, default=20.0,
                        help="round-trip latency the proxy injects for the floors section")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workflow-repeats", type=int, default=None,
                        help="runs of the Toil workflow per store (default: 1 with --quick)")
    parser.add_argument("--floor-repeats", type=int, default=None,
                        help="repeats of the latency floors section (default: --repeats)")
    parser.add_argument("--skip", action="append", default=[],
                        choices=("operations", "workflow", "large", "rss", "floors"))
    parser.add_argument("--out", type=Path, help="a .md file (results between markers are "
                        "replaced, the rest kept) or a .json file")
    parser.add_argument("--workdir", type=Path, help="scratch directory (default: a temp dir)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("toil").setLevel(logging.ERROR)
    size = {k: v[1] if args.quick else v[0] for k, v in SIZES.items()}
    backends = ["local", "s3"] if args.backend == "all" else [args.backend]
    workflow_repeats = args.workflow_repeats or (1 if args.quick else args.repeats)
    floor_repeats = args.floor_repeats or args.repeats
    settings: dict[str, Any] = {
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "mode": "quick" if args.quick else "full", "backends": backends,
        "repeats": args.repeats, "workflow_repeats": workflow_repeats,
        "floor_repeats": floor_repeats,
        "latency_ms": args.latency_ms, **{f"size_{k}": v for k, v in size.items()},
        "fsjobstore_source": _source_state(),
    }
    started = time.perf_counter()
    with ExitStack() as stack:
        workdir = args.workdir or Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="fsjobstore-bench-")))
        workdir.mkdir(parents=True, exist_ok=True)
        rec = Recorder()
        endpoint: str | None = None
        env: dict[str, str] = {}
        if "s3" in backends:
            servers = stack.enter_context(s3_servers(workdir / "servers"))
            endpoint = servers.proxy.endpoint
            env = aws_env(endpoint)
            os.environ.update(env)
            import fsspec

            fsspec.filesystem("s3", skip_instance_cache=True).mkdir(BUCKET)
            rec.proxy = servers.proxy
        timings: dict[str, float] = {}
        rec.extra["section_seconds"] = timings

        def section(name: str, fn: Callable[[], None]) -> None:
            if name in args.skip:
                return
            t0 = time.perf_counter()
            print(f"[{time.perf_counter() - started:6.0f} s] {name} ...", file=sys.stderr,
                  flush=True)
            fn()
            timings[name] = round(time.perf_counter() - t0, 1)

        def operations() -> None:
            for repeat in range(args.repeats):
                for backend in backends:
                    # fsjobstore first in even repeats, Toil's store first in odd ones.
                    kinds = store_kinds([backend])[:: -1 if repeat % 2 else 1]
                    n = size["local_ops"] if backend == "local" else size["ops"]
                    workload.run_workload(rec, kinds, workdir, endpoint, n)

        def workflows() -> None:
            rec.extra["workflow"] = _workflows(rec, backends, workdir, endpoint, env,
                                               size["workflow_jobs"], workflow_repeats)

        def large_files() -> None:
            for repeat in range(args.repeats):
                for backend in backends:
                    large.run_large(rec, backend, workdir, endpoint, size["large"], repeat)

        def rss() -> None:
            if endpoint is None:
                return
            out: dict[str, Any] = {}
            for impl in ("fsjobstore", "toil"):
                label = StoreKind(impl, "s3").label
                try:
                    out[label] = {"size": size["rss"], **large.peak_rss(
                        impl, "s3", size["rss"], endpoint, workdir, env)}
                except Exception as exc:
                    out[label] = {"error": str(exc).splitlines()[0]}
            rec.extra["peak_rss"] = out

        def floor() -> None:
            if endpoint is None or rec.proxy is None:
                return
            rec.proxy.set_latency(args.latency_ms)
            try:
                for _ in range(floor_repeats):
                    floors.run_floors(rec, workdir, endpoint, size["floor_jobs"],
                                      size["floor_jobs_toil"])
            finally:
                rec.proxy.set_latency(0)

        section("operations", operations)
        section("workflow", workflows)
        section("large", large_files)
        section("rss", rss)
        section("floors", floor)
    settings["wall_seconds"] = round(time.perf_counter() - started, 1)
    settings["section_seconds"] = timings
    text = render(rec, settings)
    print(text)
    if args.out is not None:
        _write(args.out, text, rec, settings)


def _workflows(rec: Recorder, backends: list[str], workdir: Path, endpoint: str | None,
               env: dict[str, str], jobs: int, repeats: int) -> dict[str, Any]:
    from fsjobstore import registration

    runs: dict[str, Any] = {}
    for kind in store_kinds(backends):
        label = kind.label
        run: dict[str, Any] = {"jobs": jobs, "seconds": []}
        runs[label] = run
        if kind.impl == "fsjobstore" and not _fsspec_locator_works():
            run["error"] = ("fsspec: locators are not understood by a fresh Toil process "
                            f"(registration patched: {registration.is_patched()})")
            continue
        requests: dict[str, int] = {}
        try:
            for i in range(repeats):
                if rec.proxy is not None:
                    rec.proxy.reset()
                log = workdir / "workflow" / f"{label.replace('/', '-').replace(' ', '-')}-{i}"
                log.mkdir(parents=True, exist_ok=True)
                locator = kind.locator(workdir, endpoint)
                run["seconds"].append(run_workflow(locator, jobs, env, log / "log.txt", 1800))
                if rec.proxy is not None and kind.backend == "s3":
                    requests = rec.proxy.counts()
        except Exception as exc:
            run["error"] = str(exc)
        if requests:
            run["requests"] = {k: float(v) for k, v in requests.items()}
    return runs


def _source_state() -> str:
    """The commit the package was measured at, and whether fsjobstore/ had local edits."""
    import subprocess

    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, check=True,
                              capture_output=True, text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "fsjobstore"], cwd=repo,
                               check=True, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    changed = len(dirty.splitlines())
    return f"{head}" + (f" + uncommitted changes to {changed} file(s) in fsjobstore/"
                        if changed else "")


def _fsspec_locator_works() -> bool:
    import subprocess

    code = ("import toil.common, fsjobstore.registration as r; "
            "raise SystemExit(0 if r.is_patched() else 1)")
    return subprocess.run([sys.executable, "-c", code], check=False, timeout=120).returncode == 0


def _write(path: Path, text: str, rec: Recorder, settings: dict[str, Any]) -> None:
    if path.suffix == ".json":
        path.write_text(json.dumps({"settings": settings, **rec.as_json()}, indent=2) + "\n")
        return
    if path.exists():
        old = path.read_text()
        if MARK_START in old and MARK_END in old:
            head, rest = old.split(MARK_START, 1)
            tail = rest.split(MARK_END, 1)[1]
            path.write_text(head + text.rstrip("\n") + tail)
            return
    path.write_text(text)


if __name__ == "__main__":
    main()
