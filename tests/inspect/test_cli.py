"""``fsjobstore ... --json`` against what the workflow did."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from fsjobstore.cli import _option, main
from tests._clock import clock
from tests.inspect.workflow import FAIL_MESSAGE, FAILING_JOB, FILE_SIZES


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main([*argv, "--json", "--no-progress"]) == 0
    return json.loads(capsys.readouterr().out)


def test_info(capsys: pytest.CaptureFixture[str], store_url: str) -> None:
    info = run_json(capsys, "info", store_url)
    assert info["workflow"]["status"] == "failed"
    assert info["job_states"] == {"failed": 1, "pending": 0, "waiting": 1, "done": 0}


def test_jobs_filters(capsys: pytest.CaptureFixture[str], store_url: str,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)  # as piped: every column whole
    assert len(run_json(capsys, "jobs", store_url)) == 2
    failed = run_json(capsys, "jobs", store_url, "--state", "failed")
    assert [j["name"] for j in failed] == [FAILING_JOB]
    assert run_json(capsys, "jobs", store_url, "--name", "ro*")[0]["name"] == "root"
    assert run_json(capsys, "jobs", store_url, "--name", "nothing*") == []
    # A CWL step's name is Toil's class; its display name tells steps apart.
    assert len(run_json(capsys, "jobs", store_url, "--name", "JobFunction*")) == 2
    assert main(["jobs", store_url, "--no-progress"]) == 0
    assert "JobFunctionWrappingJob" in capsys.readouterr().out
    log_file = failed[0]["log_file_id"]
    assert main(["cat", store_url, log_file]) == 0
    assert FAIL_MESSAGE in capsys.readouterr().out


def test_files_and_cat(capsys: pytest.CaptureFixture[str], store_url: str) -> None:
    files = run_json(capsys, "files", store_url)
    by_size = {f["size"]: f for f in files}
    for size in FILE_SIZES.values():
        assert size in by_size
    assert main(["cat", store_url, by_size[FILE_SIZES["medium.bin"]]["file_id"]]) == 0
    assert capsys.readouterr().out == "x" * FILE_SIZES["medium.bin"]


def test_cat_refuses_a_non_file_id(capsys: pytest.CaptureFixture[str], store_url: str) -> None:
    assert main(["cat", store_url, "shared/config.pickle"]) == 1
    assert "not a file ID" in capsys.readouterr().err


def test_logs(capsys: pytest.CaptureFixture[str], store_url: str) -> None:
    logs = run_json(capsys, "logs", store_url)
    exploded = [entry for entry in logs if FAILING_JOB in entry["job_names"]]
    assert len(exploded) == 1 and exploded[0]["succeeded"] is False
    assert "text" not in exploded[0]
    full = run_json(capsys, "logs", store_url, "--text")
    assert all("text" in entry for entry in full)


def test_logs_follow_sees_new_messages(
    capsys: pytest.CaptureFixture[str], store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = "20990101T000000000000Z-" + "a" * 32 + ".log"

    def sleep(seconds: float) -> None:  # a worker writes a message between two polls
        (store_path / "logs" / name).write_text(json.dumps({"jobs": [{"class_name": "x.late"}]}))

    monkeypatch.setattr("fsjobstore.cli.time", clock(sleep=sleep))
    argv = ["logs", store_path.as_uri(), "--follow", "--max-polls", "2", "--interval", "0"]
    assert main([*argv, "--json", "--no-progress"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[-1]["key"] == f"logs/{name}" and lines[-1]["job_names"] == ["late"]
    assert len({entry["key"] for entry in lines}) == len(lines)  # each message once


def test_logs_follow_stops_when_the_store_is_destroyed(
    capsys: pytest.CaptureFixture[str], store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # Toil cleans up the finished workflow's store
        sleeps.append(seconds)
        shutil.rmtree(store_path, ignore_errors=True)

    monkeypatch.setattr("fsjobstore.cli.time", clock(sleep=sleep))
    argv = ["logs", store_path.as_uri(), "--follow", "--interval", "0", "--json"]
    assert main([*argv, "--no-progress", "--max-polls", "1000"]) == 0
    assert "the store was destroyed; no more messages" in capsys.readouterr().err
    assert len(sleeps) == 2  # gone at two polls in a row, not one (a passing error)


def test_du_and_tree(capsys: pytest.CaptureFixture[str], store_url: str) -> None:
    du = run_json(capsys, "du", store_url)
    assert du["prefixes"]["jobs"]["count"] == 2
    assert du["total"]["bytes"] == sum(p["bytes"] for p in du["prefixes"].values())
    tree = run_json(capsys, "tree", store_url, "--depth", "1")
    assert tree["objects"] == du["total"]["count"]
    assert {c["name"] for c in tree["children"]} >= {"jobs", "owned", "shared", "logs"}
    assert all(c["children"] == [] for c in tree["children"])
    names = [c["name"] for c in tree["children"]]
    assert names == sorted(names)  # "logs" before "logs.read", though "logs.read/" < "logs/"


def test_human_output(capsys: pytest.CaptureFixture[str], store_url: str) -> None:
    for command in ("info", "jobs", "files", "logs", "du", "tree"):
        assert main([command, store_url, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert FAILING_JOB in out and "workflow" in out


def test_options_are_parsed_and_never_printed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = (tmp_path / "none").as_uri()
    assert main(["info", url, "-o", "auto_mkdir=false", "-o", "password=hunter22"]) == 1
    captured = capsys.readouterr()
    assert "hunter22" not in captured.out + captured.err


@pytest.mark.parametrize(("given", "parsed"), [
    ("password=98765432", "98765432"),  # a password of digits stays a string
    ('password="98765432"', "98765432"),
    ("look_for_keys=false", False),  # asyncssh's: a credential word, a boolean
    ("client_keys=null", None),
    ('token={"type": "x"}', {"type": "x"}),  # a GCS token document
    ("default_block_size=5242880", 5242880),  # not a credential: JSON
])
def test_credential_options_are_strings_unless_written_as_json(given: str, parsed: object) -> None:
    assert _option(given) == (given.split("=", 1)[0], parsed)


def test_an_option_meant_as_json_must_be_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = (tmp_path / "none").as_uri()
    with pytest.raises(SystemExit) as exited:
        main(["info", url, "-o", 'client_kwargs={"token": "hunter22", "bad'])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "the value of client_kwargs is not valid JSON" in err
    assert "hunter22" not in err


def test_missing_rich_names_the_extra(
    capsys: pytest.CaptureFixture[str], store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [m for m in sys.modules if m == "rich" or m.startswith("rich.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "rich", None)
    assert main(["jobs", store_url, "--no-progress"]) == 1
    assert "pip install 'fsjobstore[inspect]'" in capsys.readouterr().err
    assert main(["jobs", store_url, "--json"]) == 0  # JSON needs no rich
    capsys.readouterr()
    logs = run_json(capsys, "logs", store_url, "--text")
    assert main(["logs", store_url, "--text"]) == 0  # nor plain text
    out = capsys.readouterr().out
    assert logs and all(f"{log['key']}\n{log['text'].rstrip()}\n" in out for log in logs)


def test_du_counts_a_delivered_message_once(
    capsys: pytest.CaptureFixture[str], workflow_store: Path
) -> None:
    """The leader's delivery markers are hard links to the messages: no bytes of their own."""
    markers = list((workflow_store / "logs.read").iterdir())
    assert markers
    assert all(m.stat().st_ino == (workflow_store / "logs" / m.name).stat().st_ino
               for m in markers)
    du = run_json(capsys, "du", workflow_store.as_uri())
    assert du["prefixes"]["logs.read"] == {"count": len(markers), "bytes": 0}
    on_disk = sum(p.stat().st_size for p in (workflow_store / "logs").iterdir())
    assert du["prefixes"]["logs"]["bytes"] == on_disk > 0
