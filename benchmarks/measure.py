"""Timing, request counting and the store of results every section writes to."""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.servers import Proxy

__all__ = ["Recorder", "Series", "format_requests"]


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
        # Flush the page cache's dirty pages first: otherwise a measurement pays for
        # the writeback of whatever the previous one wrote (local stores).
        os.sync()
        start = time.perf_counter()
        fn()
        seconds = time.perf_counter() - start
        series = self.get(section, op, label, unit)
        series.rates.append((scale if scale is not None else count) / seconds)
        series.n = count
        if proxy is not None:
            series.requests.update(proxy.counts())
            series.operations += count
        return seconds

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
