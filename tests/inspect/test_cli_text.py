"""The ``fsjobstore`` command prints what the store holds as it is: a store's
text (log messages, paths, names) is never read as rich markup, and piped
tables keep IDs on one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from toil.common import Config

from fsjobstore.cli import main
from fsjobstore.jobstore import FsspecJobStore

MESSAGES = ["closing tag [/red] with no opener", "array[i] and [x] stay",
            "[bold]literal[/bold] [link=https://e.example]click[/link]"]


@pytest.fixture(autouse=True)
def _piped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output as piped (capsys: stdout is no terminal), at no width COLUMNS asks for."""
    monkeypatch.delenv("COLUMNS", raising=False)


def _worker_message(text: str) -> str:
    """A worker's statistics message, as Toil's worker writes it through write_logs."""
    return json.dumps({"jobs": [{"class_name": "job", "succeeded": "True"}],
                       "workers": {"logs_to_leader": [{"text": text, "level": 20}]}})


def test_log_messages_with_brackets_are_printed_as_they_are(
        capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    store = FsspecJobStore(store_path.as_uri())
    store.resume()
    for text in MESSAGES:
        store.write_logs(_worker_message(text))
    assert main(["logs", store_path.as_uri(), "--no-progress"]) == 0
    out = capsys.readouterr().out
    for text in MESSAGES:
        assert text in out


def test_paths_and_names_with_brackets_are_printed_as_they_are(
        capsys: pytest.CaptureFixture[str], store_path: Path, tmp_path: Path) -> None:
    moved = tmp_path / "runs[/x]" / "[red]store"
    moved.parent.mkdir(parents=True)
    shutil.move(store_path, moved)
    (moved / "[red]top").write_text("not the store's")
    url = f"file://{moved}"  # as_uri() would percent-encode the brackets
    for command in ("info", "tree"):
        assert main([command, url, "--no-progress"]) == 0
        assert "runs[/x]/[red]store" in capsys.readouterr().out
    assert main(["tree", url, "--no-progress"]) == 0
    assert "[red]top" in capsys.readouterr().out


def test_piped_tables_keep_long_ids_on_one_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = FsspecJobStore((tmp_path / "store").as_uri())
    store.initialize(Config())
    source = tmp_path / ("L" * 120 + ".txt")
    source.write_text("x")
    file_id = store.import_file(source.as_uri())
    assert file_id is not None
    assert main(["files", store.storage.url, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert any(str(file_id) in line for line in out.splitlines())
