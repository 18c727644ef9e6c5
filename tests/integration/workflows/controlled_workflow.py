"""A Toil workflow whose jobs the integration tests can fail, block and count.

``python controlled_workflow.py --jobStore LOCATOR MARKER_DIR OUTPUT_PATH`` runs
``--jobs`` worker jobs and a fan-in job.  Each attempt of job *i* creates
``MARKER_DIR/start-<i>-<uuid>`` (holding its PID); the fan-in job creates ``start-combine-<uuid>``.
Control files in MARKER_DIR:

- ``fail-<i>``: job *i* raises (remove the file and ``--restart`` to finish);
- ``block-<i>``: job *i* writes ``blocked-<i>`` and waits until ``go`` (then
  finishes) or ``abort`` (then exits at once, as if its machine died) appears.

The output is ``job <i>\\n`` for every job in order.  Runs as a script only.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from toil.common import Toil
from toil.fileStores import FileID
from toil.job import Job, Promise

#: Longest a blocked job waits for the test, so nothing hangs forever.
BLOCK_LIMIT_S = 300.0


def _mark(marker_dir: Path, name: str) -> None:
    # The content is the worker's PID, so a test can wait for orphaned workers.
    (marker_dir / f"start-{name}-{uuid.uuid4().hex}").write_text(str(os.getpid()))


def work(job: Job, marker_dir: str, index: int) -> str:
    """One job of the fan-out: obeys the control files, returns its line."""
    markers = Path(marker_dir)
    _mark(markers, str(index))
    if (markers / f"fail-{index}").exists():
        raise RuntimeError(f"job {index} fails on purpose")
    if (markers / f"block-{index}").exists():
        (markers / f"blocked-{index}").write_text(str(os.getpid()))
        deadline = time.monotonic() + BLOCK_LIMIT_S
        while not (markers / "go").exists():
            if (markers / "abort").exists():
                (markers / f"aborted-{index}").touch()
                os._exit(1)  # like a lost machine: leave the job store untouched
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {index} was never released")
            time.sleep(0.1)
    return f"job {index}\n"


def combine(job: Job, marker_dir: str, lines: list[str]) -> FileID:
    """The fan-in job: joins the lines of every job in order."""
    _mark(Path(marker_dir), "combine")
    with job.fileStore.writeGlobalFileStream(encoding="utf-8") as (out, file_id):
        out.write("".join(lines))
    return file_id


def root(job: Job, marker_dir: str, jobs: int) -> Promise:
    """Fan out *jobs* work jobs and fan in their promised lines."""
    lines = [job.addChildJobFn(work, marker_dir, i, memory="50M", disk="1M").rv()
             for i in range(jobs)]
    return job.addFollowOnJobFn(combine, marker_dir, lines, memory="50M", disk="1M").rv()


def main() -> int:
    parser: argparse.ArgumentParser = Job.Runner.getDefaultArgumentParser(jobstore_as_flag=True)
    parser.add_argument("marker_dir")
    parser.add_argument("output_path")
    parser.add_argument("--jobs", type=int, default=3)
    options: Any = parser.parse_args()
    with Toil(options) as toil:
        if options.restart:
            file_id = toil.restart()
        else:
            file_id = toil.start(Job.wrapJobFn(root, options.marker_dir, options.jobs,
                                               memory="50M", disk="1M"))
        toil.export_file(file_id, Path(options.output_path).resolve().as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
