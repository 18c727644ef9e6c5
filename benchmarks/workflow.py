"""A real Toil workflow of about N jobs, and the runner that times it on each store.

``python -m benchmarks.workflow --jobs N LOCATOR`` runs it: the root
job starts ``fanout`` children; each child is the head of a chain of jobs that
each write a 4 KiB global file and read their predecessor's.  Chains run in one
worker process (Toil chains single successors), so the run measures the job
store more than process start-up.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["chain_depths", "run_workflow"]

_PAYLOAD = b"w" * 4096


def step(job: Any, remaining: int, previous: Any) -> int:
    """Read the previous file, write a new one, pass it on."""
    store = job.fileStore
    if previous is not None:
        with store.readGlobalFileStream(previous) as stream:
            stream.read()
    with store.writeGlobalFileStream() as (out, file_id):
        out.write(_PAYLOAD)
    if remaining > 1:
        job.addChildJobFn(step, remaining - 1, file_id, memory="50M", cores=1, disk="1M")
    return remaining


def root(job: Any, depths: list[int]) -> None:
    for depth in depths:
        job.addChildJobFn(step, depth, None, memory="50M", cores=1, disk="1M")


def chain_depths(jobs: int) -> list[int]:
    """Chain lengths that, with the root job, make exactly *jobs* jobs (at least 2)."""
    rest = max(1, jobs - 1)
    fanout = max(1, min(20, rest // 10))
    depth, extra = divmod(rest, fanout)
    return [depth + (1 if i < extra else 0) for i in range(fanout)]


def main(argv: list[str] | None = None) -> None:
    from toil.common import Toil
    from toil.job import Job

    parser = Job.Runner.getDefaultArgumentParser()
    parser.add_argument("--jobs", type=int, default=100)
    options = parser.parse_args(argv)
    with Toil(options) as toil:
        toil.start(Job.wrapJobFn(root, chain_depths(options.jobs), memory="50M", cores=1,
                                 disk="1M"))


def run_workflow(locator: str, jobs: int, env: dict[str, str], log: Path,
                 timeout: float) -> float:
    """Run the workflow in a subprocess on *locator*; return its wall time in seconds."""
    argv = [
        sys.executable, "-m", "benchmarks.workflow", "--jobs", str(jobs),
        locator, "--batchSystem", "single_machine", "--maxCores", "2",
        "--logLevel", "WARNING", "--clean", "always", "--retryCount", "0",
        "--workDir", str(log.parent),
    ]
    # Toil starts workers as `_toil_worker`, found on PATH beside this interpreter.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    # Workers run elsewhere and import this module by name: put the repository on their path.
    repo = str(Path(__file__).resolve().parent.parent)
    python_path = os.pathsep.join(p for p in (repo, os.environ.get("PYTHONPATH", "")) if p)
    start = time.perf_counter()
    with log.open("wb") as out:
        full_env = {**os.environ, **env, "PATH": path, "PYTHONPATH": python_path}
        result = subprocess.run(argv, env=full_env, stdout=out,
                                stderr=subprocess.STDOUT, timeout=timeout, check=False,
                                cwd=Path(__file__).resolve().parent.parent)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"workflow on {locator} failed (exit {result.returncode}); see {log}")
    return seconds


if __name__ == "__main__":
    main()
