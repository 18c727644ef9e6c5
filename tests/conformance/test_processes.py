"""Several processes at once, and processes killed mid-write."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from toil.common import Config

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import new_job, temp_keys
from tests.servers import Backend

WORKER = Path(__file__).with_name("_worker.py")
REPO = Path(__file__).resolve().parents[2]


# A memory store lives in one process, so it is not among these backends.
@pytest.fixture(params=["file", "s3", "az", "gs", "sftp", "ftp"])
def shared_store(request: pytest.FixtureRequest) -> tuple[FsspecJobStore, Backend]:
    backend: Backend = request.getfixturevalue(f"{request.param}_backend")
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    store.initialize(Config())
    return store, backend


def _spawn(
    backend: Backend, store: FsspecJobStore, job_id: str, rounds: int
) -> subprocess.Popen[str]:
    env = {**os.environ, **backend.env, "PYTHONPATH": str(REPO)}
    url = store.locator.removeprefix("fsspec:")
    return subprocess.Popen(
        [sys.executable, str(WORKER), url, json.dumps(backend.storage_options), job_id,
         str(rounds)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_processes_updating_different_jobs_lose_nothing(
    shared_store: tuple[FsspecJobStore, Backend],
) -> None:
    store, backend = shared_store
    jobs = [new_job(store, f"job{i}") for i in range(4)]
    rounds = 10
    workers = [_spawn(backend, store, str(job.jobStoreID), rounds) for job in jobs]
    for worker in workers:
        out, _ = worker.communicate(timeout=300)
        assert worker.returncode == 0
        assert out.split()[-1] == str(rounds)
    for job in jobs:
        loaded = store.load_job(str(job.jobStoreID))
        assert loaded.remainingTryCount == rounds
        assert loaded.jobName == f"{job.jobStoreID}:" + "x" * (rounds * 1000)
    assert len(list(store.jobs())) == len(jobs)
    store.destroy()


def test_kill_mid_update_leaves_old_or_new(shared_store: tuple[FsspecJobStore, Backend]) -> None:
    """SIGKILL a writer at an arbitrary moment: the job loads as a committed version."""
    store, backend = shared_store
    job = new_job(store, "victim")
    worker = _spawn(backend, store, str(job.jobStoreID), 0)
    assert worker.stdout is not None
    committed = 0
    for _ in range(5):  # let a few updates commit, then kill during the next one
        committed = int(worker.stdout.readline())
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=60)
    # Commits it reported after the lines read above and before the kill (the
    # writer runs on while this process waits for the CPU).
    reported = worker.stdout.read().split()
    worker.stdout.close()
    committed = int(reported[-1]) if reported else committed
    loaded = store.load_job(str(job.jobStoreID))
    assert loaded.remainingTryCount in (committed, committed + 1)
    assert loaded.jobName == f"{job.jobStoreID}:" + "x" * (loaded.remainingTryCount * 1000)
    # A killed rename-based writer may leave its temporary object: it is never
    # read as a job, and `fsjobstore gc` removes it.
    assert all(".tmp-" in k for k in temp_keys(store))
    store.destroy()
