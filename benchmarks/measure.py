"""Timing, request counting and the store of results every section writes to."""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.servers import Proxy

__all__ = ["Recorder", "Series", "format_requests"]


def _timed(fn: Callable[[], object]) -> float:
    """Seconds *fn* takes, after flushing the page cache's dirty pages (otherwise a
    measurement pays for the writeback of what the one before it wrote)."""
    os.sync()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


@dataclass
class Series:
    """Repeated measurements of one operation on one store."""

    unit: str  # "ops/s", "MiB/s", "jobs/s"
    rates: list[float] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    operations: int = 0  # how many operations the request counts cover
    n: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else float("nan")

    def per_op(self) -> dict[str, float]:
        if not self.operations:
            return {}
        return {k: v / self.operations for k, v in sorted(self.requests.items())}

    def as_json(self) -> dict[str, Any]:
        return {"unit": self.unit, "rates": self.rates, "median": self.median, "n": self.n,
                "requests_per_op": self.per_op()}


@dataclass
class Recorder:
    """Results keyed by (section, operation, store label)."""

    proxy: Proxy | None = None
    series: dict[tuple[str, str, str], Series] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, section: str, op: str, label: str, unit: str = "ops/s") -> Series:
        return self.series.setdefault((section, op, label), Series(unit))

    def measure(
        self,
        section: str,
        op: str,
        label: str,
        count: int,
        fn: Callable[[], object],
        *,
        unit: str = "ops/s",
        scale: float | None = None,
        counted: bool = True,
    ) -> float:
        """Run *fn* once, as *count* operations; record count/seconds (or scale/seconds).

        Requests are counted through the proxy when *counted* and a proxy is set.
        Returns the seconds taken.
        """
        proxy = self.proxy if counted else None
        if proxy is not None:
            proxy.reset()
        seconds = _timed(fn)
        self._record(section, op, label, count, unit=unit,
                     rate=(scale if scale is not None else count) / seconds,
                     requests=proxy.counts() if proxy is not None else None)
        return seconds

    def measure_interleaved(
        self,
        section: str,
        op: str,
        runs: Sequence[tuple[str, Callable[[range], object]]],
        count: int,
        chunk: int,
    ) -> None:
        """Measure one operation on several stores, *chunk* items at a time, taking
        the stores in turn (in the given order, then reversed, and so on).

        ``run(items)`` does the operation on the items numbered in *items*.  Each
        store's rate is *count* over the sum of its chunks' seconds, so a slow
        moment of the machine (disk writeback, say) falls on every store alike.
        """
        seconds = [0.0] * len(runs)
        requests: list[Counter[str]] = [Counter() for _ in runs]
        for turn, start in enumerate(range(0, count, chunk)):
            items = range(start, min(start + chunk, count))
            order = range(len(runs)) if turn % 2 == 0 else range(len(runs) - 1, -1, -1)
            for i in order:
                run = runs[i][1]
                if self.proxy is not None:
                    self.proxy.reset()
                seconds[i] += _timed(lambda: run(items))  # noqa: B023 - called at once
                if self.proxy is not None:
                    requests[i].update(self.proxy.counts())
        for (label, _), spent, counted in zip(runs, seconds, requests, strict=True):
            self._record(section, op, label, count, unit="ops/s", rate=count / spent,
                         requests=counted if self.proxy is not None else None)

    def _record(self, section: str, op: str, label: str, count: int, *, unit: str,
                rate: float, requests: Mapping[str, int] | None) -> None:
        series = self.get(section, op, label, unit)
        series.rates.append(rate)
        series.n = count
        if requests is not None:
            series.requests.update(requests)
            series.operations += count

    def as_json(self) -> dict[str, Any]:
        return {
            "series": [
                {"section": s, "op": o, "store": label, **v.as_json()}
                for (s, o, label), v in self.series.items()
            ],
            "notes": self.notes,
            **self.extra,
        }


def format_requests(per_op: dict[str, float]) -> str:
    """``1 GetObject + 0.5 HeadObject`` (largest first), or ``-`` when none."""
    if not per_op:
        return "-"
    items = sorted(per_op.items(), key=lambda kv: -kv[1])
    return " + ".join(f"{_num(v)} {k}" for k, v in items if v >= 0.0005) or "~0"


def _num(value: float) -> str:
    if value >= 1 and abs(value - round(value)) < 0.005:
        return str(round(value))
    return f"{value:.2f}" if value >= 0.1 else f"{value:.3f}" if value >= 0.01 else f"{value:.4f}"
