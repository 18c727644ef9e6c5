"""A Toil workflow with a service job: ``python service_workflow.py --jobStore L [--fail] DIR``.

The service starts (its value reaches the job that uses it through a promise),
and stops once that job is done: its ``stop`` writes ``DIR/stopped``.  Toil runs
the service in its own worker and steers it through empty files in the job store
(start, terminate, error flags), which it polls with ``file_exists``.  The
workflow prints ``result: <value>``; with ``--fail`` the job that uses the service
fails instead.  Runs as a script only.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from toil.common import Toil
from toil.job import Job, Promise


class Greeter(Job.Service):
    """A service whose start returns a greeting; its stop leaves a mark."""

    def __init__(self, out_dir: str) -> None:
        super().__init__(memory="50M", cores=0.1, disk="1M")
        self.out_dir = out_dir

    def start(self, job: Any) -> str:
        return "hello from the service"

    def check(self) -> bool:
        return True

    def stop(self, job: Any) -> None:
        (Path(self.out_dir) / "stopped").write_text("stopped\n")


def use(job: Job, greeting: str, fail: bool) -> str:
    """The job that uses the service: it sees the service's start value."""
    if fail:
        raise RuntimeError("failing on purpose, with the service running")
    return greeting.upper()


def root(job: Job, out_dir: str, fail: bool) -> Promise:
    greeting = job.addService(Greeter(out_dir))
    return job.addChildJobFn(use, greeting, fail, memory="50M", cores=0.5, disk="1M").rv()


def main() -> int:
    parser = Job.Runner.getDefaultArgumentParser(jobstore_as_flag=True)
    parser.add_argument("--fail", action="store_true")
    parser.add_argument("out_dir")
    options: Any = parser.parse_args()
    with Toil(options) as toil:
        result = toil.start(Job.wrapJobFn(root, options.out_dir, options.fail, memory="50M",
                                          cores=0.5, disk="1M"))
    print(f"result: {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
