"""The inspection API against a store a real Toil workflow left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import fsjobstore
from fsjobstore.errors import InvalidInputError, ObjectNotFoundError, StoreNotFoundError
from fsjobstore.view import JobRecord, StoreView, open_view
from tests.inspect.conftest import REPO_ROOT, python_env
from tests.inspect.workflow import FAIL_MESSAGE, FAILING_JOB, FILE_SIZES


@pytest.fixture
def view(store_url: str) -> StoreView:
    return open_view(store_url, progress=False)


def test_jobs_by_state_match_the_workflow(view: StoreView) -> None:
    jobs = view.jobs()
    # The root waits on its failed follow-on; the file writers finished and are gone.
    assert jobs.groupby("state").size().to_dict() == {"failed": 1, "waiting": 1}
    failed = jobs[jobs.state == "failed"].iloc[0]
    assert failed["name"] == FAILING_JOB
    assert failed["remaining_tries"] == 0
    assert failed["owned_files"] >= 1
    root = jobs[jobs.state == "waiting"].iloc[0]
    assert root["name"] == "root"
    assert root["successors"] == 1
    assert {"memory", "cores", "disk", "preemptible", "updated"} <= set(jobs.columns)


def test_failed_job_log_holds_the_error(view: StoreView) -> None:
    jobs = view.jobs()
    job_id = str(jobs[jobs.state == "failed"].iloc[0]["job_id"])
    log = view.job_log(job_id)
    assert log is not None and FAIL_MESSAGE in log


def test_files_have_the_sizes_written(view: StoreView) -> None:
    files = view.files()
    sizes = sorted(files[~files.cleanup]["size"])
    for size in FILE_SIZES.values():
        assert size in sizes
    owned = files[files.cleanup]
    assert owned["owner"].notna().all()
    assert not files.executable.any()
    assert files["modified"].notna().all()


def test_logs_name_the_jobs_and_the_failure(view: StoreView) -> None:
    logs = view.logs()
    names = [n for row in logs.job_names for n in row]
    assert names.count("write_file") == len(FILE_SIZES)
    exploded = logs[logs.job_names.apply(lambda n: FAILING_JOB in n)].iloc[0]
    assert exploded["succeeded"] is False or exploded["succeeded"] == False  # noqa: E712
    assert "about to explode" in exploded["messages"]
    assert logs["time"].notna().all()
    assert logs["read"].sum() >= 1


def test_summary_says_the_workflow_failed(view: StoreView) -> None:
    info = view.summary()
    assert info["format"] == "fsjobstore"
    assert info["format_version"] == 1
    assert info["workflow"]["status"] == "failed"
    assert info["workflow"]["jobs_remaining"] == 2
    assert info["job_states"]["failed"] == 1
    assert info["categories"]["jobs"]["count"] == 2
    assert info["categories"]["files"]["bytes"] >= sum(FILE_SIZES.values())
    assert info["temporary_objects"]["count"] == 0
    shared = set(view.shared_files().shared_name)
    assert {"config.pickle", "pid.log", "rootJobStoreID", "failed.log"} <= shared


def test_job_is_a_plain_dict_without_payload(view: StoreView) -> None:
    job_id = str(view.jobs().job_id.iloc[0])
    job = view.job(job_id)
    assert isinstance(job, dict) and isinstance(job, JobRecord)
    assert "payload" not in job and job["job_id"] == job_id
    assert "text/html" in job._repr_mimebundle_()
    with pytest.raises(ObjectNotFoundError):
        view.job("no-such-job")


def test_open_reads_a_file_and_refuses_other_keys(view: StoreView) -> None:
    files = view.files()
    row = files[files["size"] == FILE_SIZES["small.txt"]].iloc[0]
    with view.open(str(row.file_id)) as stream:
        assert stream.read() == b"x" * FILE_SIZES["small.txt"]
    for bad in ("shared/config.pickle", "../etc/passwd", "jobs/x.json"):
        with pytest.raises(InvalidInputError), view.open(bad):
            pass


def test_displays(view: StoreView) -> None:
    bundle = view._repr_mimebundle_()
    assert "<table>" in bundle["text/html"] and "failed" in bundle["text/plain"]
    assert "workflow" in str(view)
    assert repr(view).startswith("StoreView(")


def test_empty_location_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreNotFoundError):
        open_view((tmp_path / "nothing").as_uri())


def test_lazy_export() -> None:
    assert fsjobstore.open_view is open_view


def test_listing_never_imports_toil(store_url: str) -> None:
    code = (
        "import fsjobstore, sys; v = fsjobstore.open_view(sys.argv[1]); v.jobs(); v.files(); "
        "v.logs(); v.summary(); from fsjobstore.cli import main; "
        "main(['verify', sys.argv[1]]); assert 'toil' not in sys.modules, 'toil imported'"
    )
    done = subprocess.run([sys.executable, "-c", code, store_url], cwd=REPO_ROOT,
                          env=python_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_missing_pandas_names_the_extra(view: StoreView, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'fsjobstore\[inspect\]'"):
        view.jobs()
    assert len(view.job_rows()) == 2  # the plain rows need no pandas


def test_progress_bar_when_asked(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    view = open_view(store_url, progress=True)
    assert len(view.job_rows()) == 2
    assert capsys.readouterr().out == ""  # the bar goes to stderr only


def test_job_state_without_a_listing(store_url: str) -> None:
    for row in open_view(store_url).job_rows():
        assert open_view(store_url).job(row["job_id"])["state"] == row["state"]


def test_a_successor_with_an_unreadable_manifest_still_exists(store_path: Path) -> None:
    # The failed follow-on's manifest is damaged: its job is still there, so the root waits.
    damaged = next(p for p in (store_path / "jobs").glob("*.json")
                   if p.name.startswith(FAILING_JOB))
    damaged.write_bytes(damaged.read_bytes()[:40])
    view = open_view(store_path.as_uri(), progress=False)
    jobs = view.jobs()
    assert jobs.groupby("state").size().to_dict() == {"unreadable": 1, "waiting": 1}
    root = jobs[jobs.state == "waiting"].iloc[0]
    assert root["successors"] == 1
    assert view.summary()["job_states"]["waiting"] == 1
    assert view.job(root["job_id"])["state"] == "waiting"


def test_a_restart_after_a_failure_is_not_reported_failed(store_path: Path) -> None:
    """Toil leaves an earlier leader's failed.log; the status follows the times."""
    shared = store_path / "shared"
    failed = (shared / "failed.log").stat().st_mtime

    def status(**mtimes: float) -> str:
        for name, mtime in mtimes.items():
            os.utime(shared / name.replace("_", "."), (mtime, mtime))
        return str(open_view(store_path.as_uri(), progress=False).summary()["workflow"]["status"])

    # Written by the failed leader before its end, in the same second or earlier.
    assert status(pid_log=failed) == "failed"
    assert status(pid_log=failed - 5) == "failed"
    # A restart started after it.
    assert status(pid_log=failed + 5) == "running or interrupted"
    (shared / "_toil_kill_flag").write_text("YES")
    assert status(pid_log=failed + 5) == "kill requested"
    (shared / "succeeded.log").write_text("")
    assert status(succeeded_log=failed + 9) == "succeeded"
    # A restart of a workflow that succeeded runs no job (Toil: "already completed").
    assert status(pid_log=failed + 12) == "succeeded"
