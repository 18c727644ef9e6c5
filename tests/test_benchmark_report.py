"""The benchmark's side-by-side ratio pairs the stores repeat by repeat."""

from __future__ import annotations

from benchmarks.measure import Series
from benchmarks.report import paired_ratio


def _series(*rates: float) -> Series:
    return Series("ops/s", rates=list(rates))


def test_a_slow_repeat_cannot_pair_one_store_fast_with_the_other_slow() -> None:
    # A --quick run's local shared-file writes: the second repeat was slow for both.
    ours, toil = _series(7682, 1632, 1340), _series(6686, 4516, 1275)
    assert paired_ratio(ours, toil) == "1.05x"  # per repeat: 1.15x, 0.36x, 1.05x
    assert f"{ours.median / toil.median:.2f}x" == "0.36x"  # what the medians would say


def test_without_a_pair_for_every_repeat_the_medians_are_compared() -> None:
    assert paired_ratio(_series(300, 100, 200), _series(100, 100)) == "2.00x"
    assert paired_ratio(_series(100), _series(0)) == "n/a"
    assert paired_ratio(_series(100), None) == "n/a"
