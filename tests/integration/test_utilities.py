"""Issue #3: ``toil status``, ``stats``, ``kill``, ``debug-job`` and ``clean`` on fsspec stores."""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tests.integration.toil_run import (
    CONTROLLED,
    EXAMPLES,
    RUN_OPTIONS,
    run,
    toil_env,
    tool,
    wait_for,
)
from tests.servers import Backend

pytestmark = pytest.mark.integration


def _leftovers(backend: Backend, locator: str) -> list[str]:
    fs = backend.filesystem()
    path = locator.removeprefix("fsspec:")
    return list(fs.find(path)) if fs.exists(path) else []


def _one_controlled_job(
    locator: str, tmp_path: Path, control: str, *options: str
) -> tuple[Path, list[str]]:
    """A marker directory holding *control*, and the command running one controlled job."""
    markers = tmp_path / "markers"
    markers.mkdir()
    (markers / control).touch()
    argv = [tool("python"), str(CONTROLLED), "--jobStore", locator, *RUN_OPTIONS, *options,
            "--jobs", "1", "--clean", "never", str(markers), str(tmp_path / "out.txt")]
    return markers, argv


@contextlib.contextmanager
def _leader_with_job_0_blocked(
    argv: list[str], env: Mapping[str, str], markers: Path, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """The leader running *argv*, once its job 0 is blocked; the worker released
    (``abort``) and the leader killed, if still there, on the way out."""
    with log_path.open("w") as log:
        leader = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: (markers / "blocked-0").exists() or leader.poll() is not None,
                     "job 0 to block")
            assert leader.poll() is None, log_path.read_text()[-3000:]
            yield leader
        finally:
            (markers / "abort").touch()  # releases the worker if nothing else did
            if leader.poll() is None:
                leader.kill()
                leader.wait(timeout=60)


def test_status_stats_and_clean(workflow_backend: Backend, locator: str, tmp_path: Path) -> None:
    env = toil_env(workflow_backend.env)
    output = tmp_path / "result.txt"
    run([tool("python"), str(EXAMPLES / "fanout.py"), "--jobStore", locator, *RUN_OPTIONS,
         "--stats", "--clean", "never", "--chunks", "2",
         (EXAMPLES / "input.txt").as_uri(), output.as_uri()], env)
    assert _leftovers(workflow_backend, locator)

    status = run([tool("toil"), "status", locator], env)
    assert "completed successfully" in status.stdout
    stats = run([tool("toil"), "stats", "--raw", locator], env)
    job_types = json.loads(stats.stdout)["job_types"]
    assert {name.rsplit(".", 1)[-1] for name in job_types} == {"fan_out", "transform", "combine"}
    assert job_types["JobFunctionWrappingJob.fanout.transform"]["total_number"] == 2

    run([tool("toil"), "clean", locator], env)
    assert _leftovers(workflow_backend, locator) == []
    run([tool("toil"), "clean", locator], env)  # cleaning again is fine


def test_kill_stops_a_running_workflow(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    env = toil_env(workflow_backend.env)
    markers, argv = _one_controlled_job(locator, tmp_path, "block-0")
    with _leader_with_job_0_blocked(argv, env, markers, tmp_path / "leader.log") as leader:
        running = run([tool("toil"), "status", locator], env)
        assert "Of the 2 jobs considered" in running.stdout, running.stdout
        run([tool("toil"), "kill", locator], env)
        assert leader.wait(timeout=120) != 0
    status = run([tool("toil"), "status", locator], env, check=False)
    assert "completed successfully" not in status.stdout, status.stdout
    run([tool("toil"), "clean", locator], env)
    assert _leftovers(workflow_backend, locator) == []


@pytest.mark.parametrize("workflow_backend", ["file", "s3", "sftp"], indirect=True)
def test_clean_of_a_running_workflow_can_be_finished(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    """``toil clean`` while a job runs: the job and the leader write after the store
    is gone (the job's manifest, log messages, Toil's end-of-run sentinel), and a
    second ``toil clean`` removes that."""
    env = toil_env(workflow_backend.env)
    markers, argv = _one_controlled_job(locator, tmp_path, "block-0")
    with _leader_with_job_0_blocked(argv, env, markers, tmp_path / "leader.log") as leader:
        run([tool("toil"), "clean", locator], env)
        (markers / "go").touch()
        assert leader.wait(timeout=180) != 0
    late = _leftovers(workflow_backend, locator)
    assert any("/logs/" not in key for key in late), late  # more than log messages
    run([tool("toil"), "clean", locator], env)
    assert _leftovers(workflow_backend, locator) == []


@pytest.mark.slow
def test_debug_job_reruns_a_failed_job(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    env = toil_env(workflow_backend.env)
    markers, argv = _one_controlled_job(locator, tmp_path, "fail-0", "--retryCount", "0")
    failed = run(argv, env, check=False)
    assert failed.returncode != 0 and "fails on purpose" in failed.stderr, failed.stderr[-3000:]
    assert len(list(markers.glob("start-0-*"))) == 1

    info = run([tool("toil"), "debug-job", "--printJobInfo", locator, "work"], env)
    assert "Job: 'work'" in info.stdout, info.stdout[-3000:]
    assert len(list(markers.glob("start-0-*"))) == 1  # printing does not run it
    # What is no job ID of the store is looked up as a job name.
    unknown = run([tool("toil"), "debug-job", "--printJobInfo", locator, "no such/job"], env,
                  check=False)
    assert unknown.returncode == 1, unknown.stderr[-3000:]
    assert 'No job found with ID or name "no such/job"' in unknown.stderr, unknown.stderr[-3000:]

    (markers / "fail-0").unlink()
    rerun = run([tool("toil"), "debug-job", locator, "work"], env)
    assert "Successfully ran" in rerun.stderr and "Worker crashed" not in rerun.stderr, (
        rerun.stderr[-5000:]
    )
    # The job ran again from the store, and its chained fan-in job with it.
    assert len(list(markers.glob("start-0-*"))) == 2
    assert len(list(markers.glob("start-combine-*"))) == 1

    run([tool("toil"), "clean", locator], env)
    assert _leftovers(workflow_backend, locator) == []


@pytest.mark.parametrize(("utility", "locator", "reason"), [
    ("status", "fsspec:s3://", "names no bucket"),
    ("clean", "fsspec:file:///tmp/a;b", "shell characters"),
    ("kill", "fsspec:gs://bucket//run1", "empty path component"),
    ("stats", "fsspec:relative/path", "needs a protocol"),
    ("debug-job", "fsspec:sftp://me:hunter22@host/store", "holds a password"),
    ("status", "fsspec:/", "names no directory"),
    ("clean", "gs:/bucket/run", "needs '//' after 'gs:'"),
    ("stats", "fsspec:nosuch://bucket/run", "which fsspec does not know"),
    # a user and password where the host goes: not echoed
    ("status", "sftp:me:hunter22@host/run", "needs '//' after 'sftp:'"),
])
def test_a_malformed_locator_is_a_usage_error(utility: str, locator: str, reason: str) -> None:
    argv = [tool("toil"), utility, locator]
    if utility == "debug-job":
        argv.append("some-job")
    result = run(argv, toil_env(), check=False)
    assert result.returncode == 2, result.stderr
    assert f"toil {utility}: error: argument jobStore: " in result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter22" not in result.stderr


@pytest.mark.parametrize("utility", ["status", "clean", "kill", "stats"])
def test_a_store_that_cannot_be_opened_is_one_line(utility: str) -> None:
    # Nothing listens on port 1: the store cannot be opened.  Toil's utilities
    # catch only "no such job store"; fsjobstore's message is printed alone.
    locator = "fsspec:sftp://127.0.0.1:1/store"
    result = run([tool("toil"), utility, locator], toil_env(), check=False)
    assert result.returncode == 1, result.stderr
    assert (f"toil {utility}: error: cannot open store URL sftp://127.0.0.1:1/store: "
            "ConnectionRefusedError") in result.stderr
    assert "Traceback" not in result.stderr
    for debug_option in ("--logDebug", "--logLevel=debug"):  # the traceback is kept
        debug = run([tool("toil"), utility, debug_option, locator], toil_env(), check=False)
        assert debug.returncode == 1 and "Traceback" in debug.stderr, debug_option


def test_debug_job_keeps_the_traceback() -> None:
    # debug-job runs at debug level: the one-line form is for the other utilities.
    result = run([tool("toil"), "debug-job", "fsspec:sftp://127.0.0.1:1/store", "some-job"],
                 toil_env(), check=False)
    assert result.returncode == 1, result.stderr
    assert "Traceback" in result.stderr
    assert "cannot open store URL sftp://127.0.0.1:1/store: ConnectionRefusedError" \
        in result.stderr
