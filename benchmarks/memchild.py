"""Child process: peak RSS while writing one large file through write_file_stream.

``python -m benchmarks.memchild IMPL BACKEND SIZE ENDPOINT WORKDIR`` prints one JSON
line with ``rss_before_kib`` (VmRSS once the store is open), ``peak_kib`` (the
highest RSS during the write: Linux's VmHWM after resetting it through
``/proc/self/clear_refs``), ``ru_maxrss_kib`` (``resource.getrusage``: the
whole process's peak, start-up included) and ``seconds``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.stores import StoreKind, discard, open_store

_CHUNK = 1024 * 1024


def _status(field: str) -> int:
    """A ``kB`` field of /proc/self/status, or -1 where there is none."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # 5: reset the peak RSS (VmHWM) to the current RSS
    except OSError:
        return False
    return True


def main(argv: list[str]) -> None:
    impl, backend, size, endpoint, workdir = argv
    kind = StoreKind(impl, backend)
    store = open_store(kind, Path(workdir), endpoint)
    chunk = b"\xa5" * _CHUNK
    try:
        reset = _reset_peak()
        before = _status("VmRSS")
        start = time.perf_counter()
        with store.write_file_stream() as (stream, _file_id):
            for _ in range(int(size) // _CHUNK):
                stream.write(chunk)
        seconds = time.perf_counter() - start
        peak = _status("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        discard(store)
    print(json.dumps({"rss_before_kib": before, "peak_kib": peak, "ru_maxrss_kib": maxrss,
                      "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1:])
