"""A small real Toil workflow that leaves a store behind, for the inspection tests.

Run as ``python -m tests.inspect.workflow URL``.  The workflow writes files of
known sizes, logs to the leader, and has one job (``explode``) that fails on
purpose with ``--retryCount 0``, so Toil exits non-zero and keeps the store.

Toil learns ``fsspec:`` locators from :func:`fsjobstore.registration.register`
(workers from the installed start-up hook).  Without the registration module
(issue #3), ``Toil.getJobStore`` is patched here in-process instead and workers
run in-process (``--debugWorker``) so they see the same patch.
"""

from __future__ import annotations

import sys
from typing import Any

#: What the workflow does, for the tests to check against.
FILE_SIZES = {"small.txt": 100, "medium.bin": 5000}
FAILING_JOB = "explode"
FAIL_MESSAGE = "exploding on purpose"


def _patch_toil() -> bool:
    """Teach Toil ``fsspec:`` locators; True if workers can be separate processes."""
    try:
        from fsjobstore.registration import register
    except ImportError:
        pass
    else:
        register()
        return True
    from toil.common import Toil

    from fsjobstore.jobstore import FsspecJobStore
    from fsjobstore.locator import is_fsspec_locator

    original = Toil.getJobStore.__func__  # type: ignore[attr-defined]

    def get_job_store(cls: type[Toil], locator: str) -> Any:
        if is_fsspec_locator(locator):
            return FsspecJobStore(locator)
        return original(cls, locator)

    Toil.getJobStore = classmethod(get_job_store)  # type: ignore[assignment, method-assign]
    return False


def write_file(job: Any, name: str, size: int) -> str:
    """A job that writes *size* bytes to the store, owned by the job (cleanup=False)."""
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
    separate_workers = _patch_toil()
    from toil.common import Toil
    from toil.exceptions import FailedJobsException
    from toil.job import Job

    options = Job.Runner.getDefaultOptions("fsspec:" + url)
    options.retryCount = 0
    options.debugWorker = not separate_workers
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
