"""Markdown tables (and the machine description) from a :class:`Recorder`."""

from __future__ import annotations

import math
import os
import platform
import statistics
from importlib import metadata
from typing import Any

from benchmarks.measure import Recorder, Series, format_requests

__all__ = ["machine", "paired_ratio", "render"]

_PACKAGES = ("toil", "fsspec", "s3fs", "moto", "boto3", "botocore", "aiobotocore")
MARK_START = "<!-- benchmark results: start -->"
MARK_END = "<!-- benchmark results: end -->"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    info = {"nproc": str(os.cpu_count()), "python": platform.python_version(),
            "platform": platform.platform()}
    try:
        with open("/proc/meminfo") as f:
            kib = int(f.readline().split()[1])
        info["ram"] = f"{kib / 1024 / 1024:.1f} GiB"
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next((line.split(":", 1)[1].strip() for line in f
                                if line.startswith("model name")), "?")
    except OSError:
        pass
    for name in _PACKAGES:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = "not installed"
    return info


def _rate(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(a: float, b: float) -> str:
    if math.isnan(a) or math.isnan(b) or not b:
        return "n/a"
    return f"{a / b:.2f}x"


def paired_ratio(a: Series | None, b: Series | None) -> str:
    """*a*'s rate over *b*'s: the median of the per-repeat ratios when both were
    measured in every repeat, else the ratio of the medians.

    A repeat measures the stores side by side, so a repeat in which the machine
    was slow slows both; the ratio of the medians could take one store's rate
    from a fast repeat and the other's from a slow one.
    """
    if a is None or b is None:
        return "n/a"
    if a.rates and len(a.rates) == len(b.rates) and all(b.rates):
        ratios = [x / y for x, y in zip(a.rates, b.rates, strict=True)]
        return f"{statistics.median(ratios):.2f}x"
    return _ratio(a.median, b.median)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _find(rec: Recorder, section: str, op: str, label: str) -> Series | None:
    return rec.series.get((section, op, label))


def _ops(rec: Recorder, section: str) -> list[str]:
    seen: dict[str, None] = {}
    for s, op, _ in rec.series:
        if s == section:
            seen.setdefault(op)
    return list(seen)


def _side_by_side(rec: Recorder, section: str, backend: str) -> list[str]:
    ours = f"fsjobstore/{backend}"
    toil = {"local": "Toil FileJobStore", "s3": "Toil AWSJobStore"}[backend]
    rows = []
    for op in _ops(rec, section):
        a, b = _find(rec, section, op, ours), _find(rec, section, op, toil)
        if a is None and b is None:
            continue
        am = a.median if a else float("nan")
        bm = b.median if b else float("nan")
        row = [op, _rate(am), _rate(bm), paired_ratio(a, b)]
        if backend == "s3":
            row += [format_requests(a.per_op() if a else {}),
                    format_requests(b.per_op() if b else {})]
        rows.append(row)
    header = ["operation", f"{ours} ops/s", f"{toil} ops/s", "fsjobstore/Toil"]
    if backend == "s3":
        header += ["fsjobstore requests/op", "Toil requests/op"]
    return _table(header, rows)


def _large(rec: Recorder, backend: str) -> list[str]:
    section = "large files"
    ours = f"fsjobstore/{backend}"
    toil = {"local": "Toil FileJobStore", "s3": "Toil AWSJobStore"}[backend]
    raw = f"raw fsspec/{backend}"
    rows = []
    for op in _ops(rec, section):
        a, b = _find(rec, section, op, ours), _find(rec, section, op, toil)
        r = _find(rec, section, op.replace("_stream", ""), raw)
        if a is None:
            continue
        am, bm = a.median, b.median if b else float("nan")
        rm = r.median if r else float("nan")
        row = [op, _rate(am), _rate(bm), _rate(rm), paired_ratio(a, r), paired_ratio(a, b)]
        if backend == "s3":
            row += [format_requests(a.per_op()), format_requests(b.per_op() if b else {})]
        rows.append(row)
    header = ["operation", "fsjobstore MiB/s", "Toil MiB/s",
              "raw fsspec MiB/s (put_file/get_file)", "fsjobstore/raw", "fsjobstore/Toil"]
    if backend == "s3":
        header += ["fsjobstore requests", "Toil requests"]
    return _table(header, rows)


_FLOOR_OF = [
    ("populate N jobs (batch() where the store has it)", ("fs.pipe",)),
    ("jobs() over N jobs", ("fs.cat",)),
    # Restart clean(): read every job once, delete the orphaned half.
    ("clean() with job cache, half orphaned", ("fs.cat", "fs.rm/2")),
    # destroy() deletes the half clean() left: against deleting known keys, and
    # against deleting a prefix that must be listed first.
    ("destroy() of the rest", ("fs.rm/2",)),
    ("destroy() of the rest", ("fs.rm recursive/2",)),
]


def _floor_rate(floors: dict[str, Series], parts: tuple[str, ...]) -> float:
    """Per-job rate of doing every part back to back (``/2``: for half the jobs)."""
    seconds = 0.0
    for part in parts:
        name, _, half = part.partition("/")
        floor = floors.get(name)
        if floor is None or not floor.median:
            return float("nan")
        seconds += (0.5 if half else 1.0) / floor.median
    return 1 / seconds


def _floors(rec: Recorder) -> list[str]:
    section = "floors"
    floors = {op.split(" of ")[0]: rec.series[(section, op, label)]
              for s, op, label in rec.series if s == section and label == "raw s3fs"}
    out = _table(["raw fsspec call (concurrent)", "keys", "keys/s", "requests/key"],
                 [[f"`{name}`", str(s.n), _rate(s.median), format_requests(s.per_op())]
                  for name, s in floors.items()])
    labels = sorted({label for s, _, label in rec.series if s == section
                     and label != "raw s3fs"})
    ours = next((x for x in labels if x.startswith("fsjobstore")), None)
    toil = next((x for x in labels if x.startswith("Toil")), None)
    rows = []
    for op, parts in _FLOOR_OF:
        a = _find(rec, section, op, ours) if ours else None
        b = _find(rec, section, op, toil) if toil else None
        fm = _floor_rate(floors, parts)
        am = a.median if a else float("nan")
        bm = b.median if b else float("nan")
        floor_name = " + ".join(f"`{p}`" for p in parts)
        rows.append([op, _rate(am), f"{floor_name}: {_rate(fm)}", _ratio(am, fm),
                     _rate(bm), paired_ratio(a, b),
                     format_requests(a.per_op() if a else {}),
                     format_requests(b.per_op() if b else {})])
    out += _table(["operation (per job)", f"{ours} jobs/s", "floor jobs/s",
                   "fsjobstore/floor", f"{toil} jobs/s", "fsjobstore/Toil",
                   "fsjobstore requests/job", "Toil requests/job"], rows)
    return out


def _workflow(rec: Recorder) -> list[str]:
    rows = []
    runs: dict[str, Any] = rec.extra.get("workflow", {})
    for label, run in runs.items():
        if "error" in run:
            rows.append([label, str(run.get("jobs", "")), "not run", "", run["error"]])
            continue
        seconds = sorted(run["seconds"])
        median = seconds[len(seconds) // 2]
        rows.append([label, str(run["jobs"]), f"{median:.1f} ({len(seconds)} runs)",
                     _rate(run["jobs"] / median), format_requests(run.get("requests", {}))])
    return _table(["job store", "jobs", "wall s (median)", "jobs/s",
                   "requests per run (S3, by API)"], rows)


def _rss(rec: Recorder) -> list[str]:
    rows = []
    for label, value in rec.extra.get("peak_rss", {}).items():
        if "error" in value:
            rows.append([label, "", "", "", "", "", value["error"]])
            continue
        base, peak = value["rss_before_kib"] / 1024, value["peak_kib"] / 1024
        rows.append([label, f"{value['size'] / 2**20:.0f} MiB", f"{base:.0f}", f"{peak:.0f}",
                     f"{peak - base:.0f}", f"{value['ru_maxrss_kib'] / 1024:.0f}",
                     f"{value['seconds']:.1f}"])
    return _table(["store (S3, write_file_stream, 1 MiB writes)", "file", "RSS before MiB",
                   "peak RSS during write MiB", "growth MiB", "ru_maxrss MiB (whole process)",
                   "seconds"], rows)


def render(rec: Recorder, settings: dict[str, Any]) -> str:
    """The results as Markdown: settings, machine, then one table per section."""
    lines = [MARK_START, "", "### Run", ""]
    lines += [f"- {k}: {v}" for k, v in settings.items()]
    lines += ["", "### Machine", ""]
    lines += [f"- {k}: {v}" for k, v in machine().items()]
    lines.append("")
    backends = settings.get("backends", [])
    for backend in backends:
        lines += [f"### Operations, {backend} (median of {settings['repeats']} repeats,"
                  " no injected latency)", ""]
        lines += _side_by_side(rec, "operations", backend)
    if "workflow" in rec.extra:
        lines += ["### A real Toil workflow", "", *_workflow(rec)]
    for backend in backends:
        lines += [f"### Large files, {backend}", "", *_large(rec, backend)]
    if "peak_rss" in rec.extra:
        lines += ["### Peak memory (child process, ru_maxrss)", "", *_rss(rec)]
    if any(s == "floors" for s, _, _ in rec.series):
        title = (f"### Floors with {settings.get('latency_ms')} ms injected latency (S3, "
                 f"median of {settings.get('floor_repeats', settings['repeats'])} repeats)")
        lines += [title, "", *_floors(rec)]
    if rec.notes:
        lines += ["### Notes", ""] + [f"- {n}" for n in rec.notes] + [""]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"
