"""A small real Toil workflow that leaves a store behind, for the inspection tests.

Run as ``python -m tests.inspect.workflow URL``.  The workflow writes files of
known sizes, logs to the leader, and has one job (``explode``) that fails on
purpose with ``--retryCount 0``, so Toil exits non-zero and keeps the store.

Toil learns ``fsspec:`` locators from :func:`fsjobstore.registration.register`;
its ``_toil_worker`` processes from the installed start-up hook, so this
interpreter's scripts directory must be on ``PATH``.
"""

from __future__ import annotations

import sys
from typing import Any

#: What the workflow does, for the tests to check against.
FILE_SIZES = {"small.txt": 100, "medium.bin": 5000}
FAILING_JOB = "explode"
FAIL_MESSAGE = "exploding on purpose"


def write_file(job: Any, name: str, size: int) -> str:
    """A job that writes *size* bytes to the store as a global file (not owned by the job)."""
    path = job.fileStore.getLocalTempFile()
    with open(path, "wb") as f:
        f.write(b"x" * size)
    job.fileStore.log_to_leader(f"wrote {name}")
    return str(job.fileStore.writeGlobalFile(path))


def explode(job: Any) -> None:
    """A job that fails, with a message in its log."""
    job.fileStore.log_to_leader("about to explode")
    raise RuntimeError(FAIL_MESSAGE)


def root(job: Any) -> None:
    """The root: two file writers, then a failing follow-on.

    The failure comes last because in-process workers share Toil's termination
    flag: once a job fails, every later job in the process fails too.
    """
    from toil.job import Job

    for name, size in FILE_SIZES.items():
        job.addChild(Job.wrapJobFn(write_file, name, size))
    job.addFollowOn(Job.wrapJobFn(explode))


def run(url: str) -> int:
    """Run the workflow on a new store at *url*; Toil's exit status (1 on failure)."""
    from toil.common import Toil
    from toil.exceptions import FailedJobsException
    from toil.job import Job

    from fsjobstore.registration import register

    register()

    options = Job.Runner.getDefaultOptions("fsspec:" + url)
    options.retryCount = 0
    options.clean = "never"
    options.logLevel = "WARNING"
    options.stats = True
    try:
        with Toil(options) as toil:
            toil.start(Job.wrapJobFn(root))
    except FailedJobsException:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1]))
