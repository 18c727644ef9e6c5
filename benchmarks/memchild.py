"""Child process: peak RSS while writing one large file through write_file_stream.

``python -m benchmarks.memchild IMPL BACKEND SIZE ENDPOINT WORKDIR`` prints one JSON
line: ``{"baseline_kib": ..., "peak_kib": ..., "seconds": ...}`` (``ru_maxrss``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.stores import StoreKind, discard, open_store

_CHUNK = 1024 * 1024


def main(argv: list[str]) -> None:
    impl, backend, size, endpoint, workdir = argv
    kind = StoreKind(impl, backend)
    store = open_store(kind, Path(workdir), endpoint)
    chunk = b"\xa5" * _CHUNK
    try:
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        with store.write_file_stream() as (stream, _file_id):
            for _ in range(int(size) // _CHUNK):
                stream.write(chunk)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    finally:
        discard(store)
    print(json.dumps({"baseline_kib": baseline, "peak_kib": peak, "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1:])
