"""Child process of test_transfer_memory.py: the peak memory one transfer adds.

``python -m tests.conformance._transfer_memory write URL LOCAL`` makes a store
at URL and stores the local file with ``write_file``; it prints the file ID.
``python -m tests.conformance._transfer_memory read URL LOCAL FILE_ID`` reads
that file into LOCAL with ``read_file``.  Each prints, on its last line, how far
its transfer raised the process's peak resident set (KiB) above the resident
set before it: each in a fresh process, so that one step's peak does not hide
the other's.
"""

from __future__ import annotations

import sys
from pathlib import Path

from toil.common import Config

from fsjobstore.jobstore import FsspecJobStore


def _reset_peak() -> None:
    """Start the peak afresh from the current resident set (Linux's ``clear_refs``)."""
    Path("/proc/self/clear_refs").write_text("5")


def _peak() -> int:
    """This process's peak resident set, KiB: ``VmHWM``, which, unlike
    ``ru_maxrss``, does not start from the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(mode: str, url: str, local: str, file_id: str = "") -> None:
    store = FsspecJobStore(url)
    if mode == "write":
        config = Config()
        store.initialize(config)
        Path(config.write_messages).unlink(missing_ok=True)
        _reset_peak()
        before = _peak()
        print(store.write_file(local))
    else:
        store.resume()
        _reset_peak()
        before = _peak()
        store.read_file(file_id, local)
    print(_peak() - before)


if __name__ == "__main__":
    main(*sys.argv[1:])
