"""Measure what the fsjobstore start-up hook costs every Python process.

Runs ``python -c pass`` (and ``python -c "import toil.common"``) repeatedly with
and without ``FSJOBSTORE_NO_HOOK=1`` and prints mean, median and spread.
Usage: ``python benchmarks/startup_hook.py [RUNS]``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time


def _run(code: str, hook: bool) -> float:
    env = {k: v for k, v in os.environ.items() if k != "FSJOBSTORE_NO_HOOK"}
    if not hook:
        env["FSJOBSTORE_NO_HOOK"] = "1"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    for code in ("pass", "import toil.common"):
        for _ in range(3):  # warm the page cache and .pyc files
            _run(code, True)
        times: dict[bool, list[float]] = {False: [], True: []}
        for _ in range(runs):  # interleaved, so drift in machine load hits both alike
            for hook in (False, True):
                times[hook].append(_run(code, hook))
        for hook, values in times.items():
            label = "hook on " if hook else "hook off"
            print(f"{code!r:22} {label}: mean {statistics.mean(values):6.1f} ms, median "
                  f"{statistics.median(values):6.1f} ms, stdev {statistics.stdev(values):5.1f} ms"
                  f" ({runs} runs)")


if __name__ == "__main__":
    main()
