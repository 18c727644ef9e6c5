"""Issue #3: failed and killed workflows on an fsspec store resume with ``--restart``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.toil_run import CONTROLLED, RUN_OPTIONS, run, toil_env, tool, wait_for
from tests.servers import Backend

pytestmark = [pytest.mark.integration, pytest.mark.slow]

JOBS = 3
EXPECTED = "".join(f"job {i}\n" for i in range(JOBS))


def _argv(locator: str, markers: Path, output: Path, *extra: str) -> list[str]:
    return [tool("python"), str(CONTROLLED), "--jobStore", locator, *RUN_OPTIONS,
            "--retryCount", "0", "--jobs", str(JOBS), *extra, str(markers), str(output)]


def _starts(markers: Path) -> Counter[str]:
    """How many times each job started: ``start-<name>-<uuid>`` files by name."""
    return Counter(p.name.split("-")[1] for p in markers.glob("start-*"))


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in state


def _wait_gone(pid: int) -> None:
    wait_for(lambda: _gone(pid), f"worker {pid} to exit")


def test_failed_job_restarts_without_rerunning_finished_jobs(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    markers, output = tmp_path / "markers", tmp_path / "out.txt"
    markers.mkdir()
    (markers / "fail-1").touch()
    env = toil_env(workflow_backend.env)
    failed = run(_argv(locator, markers, output), env, check=False)
    assert failed.returncode != 0, failed.stderr[-3000:]
    assert "fails on purpose" in failed.stderr
    assert workflow_backend.filesystem().exists(locator.removeprefix("fsspec:"))
    assert not output.exists()
    assert _starts(markers) == Counter({"0": 1, "1": 1, "2": 1})

    (markers / "fail-1").unlink()
    run(_argv(locator, markers, output, "--restart"), env)
    assert output.read_text() == EXPECTED
    assert _starts(markers) == Counter({"0": 1, "1": 2, "2": 1, "combine": 1})


def test_leader_killed_mid_run_restarts_to_exact_output(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    markers, output = tmp_path / "markers", tmp_path / "out.txt"
    markers.mkdir()
    (markers / "block-1").touch()
    env = toil_env(workflow_backend.env)
    log = (tmp_path / "leader.log").open("w")
    leader = subprocess.Popen(_argv(locator, markers, output), env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: (markers / "blocked-1").exists() or leader.poll() is not None,
                 "job 1 to block")
        assert leader.poll() is None, (tmp_path / "leader.log").read_text()[-3000:]
        os.kill(leader.pid, signal.SIGKILL)
        assert leader.wait(timeout=60) == -signal.SIGKILL
    finally:
        if leader.poll() is None:
            leader.kill()
            leader.wait(timeout=60)
        log.close()
    # The orphaned worker of job 1 exits at once without touching the store, as if
    # its machine had died; the other workers may still be finishing their jobs.
    (markers / "abort").touch()
    wait_for(lambda: (markers / "aborted-1").exists(), "the blocked worker to abort")
    for start in markers.glob("start-*"):
        _wait_gone(int(start.read_text()))
    for name in ("abort", "block-1"):
        (markers / name).unlink()

    run(_argv(locator, markers, output, "--restart"), env)
    assert output.read_text() == EXPECTED
    assert _starts(markers)["combine"] == 1


@pytest.mark.parametrize("workflow_backend", ["file", "s3"], indirect=True)
def test_a_finished_workflow_restarted_is_still_reported_succeeded(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    """Toil's --restart of a finished workflow writes pid.log and runs no job."""
    markers, output = tmp_path / "markers", tmp_path / "out.txt"
    markers.mkdir()
    env = toil_env(workflow_backend.env)
    keep = ("--clean", "never")
    run(_argv(locator, markers, output, *keep), env)
    again = run(_argv(locator, markers, output, *keep, "--restart"), env)
    assert "already been completed" in again.stderr
    assert _starts(markers)["combine"] == 1
    info = run([tool("fsjobstore"), "info", "--json", "--no-progress", locator], env)
    assert json.loads(info.stdout)["workflow"]["status"] == "succeeded"
