"""The ``fsjobstore`` command on bad arguments and on prefixes that are not stores."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from fsjobstore.cli import main


@pytest.mark.parametrize("argv", [
    ["logs", "--follow", "--interval", "-1"], ["logs", "--interval", "nan"],
    ["logs", "--follow", "--max-polls", "0"], ["logs", "--max-polls", "-3"],
    ["gc", "--dry-run", "--min-age", "-5"], ["logs", "--interval", "inf"],
    ["logs", "--interval", "1e300"], ["tree", "--depth", "-1"], ["tree", "--depth", "0"],
])
def test_out_of_range_numbers_are_usage_errors(
    capsys: pytest.CaptureFixture[str], store_url: str, argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([argv[0], store_url, *argv[1:]])
    assert exited.value.code == 2
    assert f"argument {argv[-2]}: expected" in capsys.readouterr().err


def test_a_prefix_without_a_marker_is_named_as_maybe_not_a_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A mistyped prefix inside a directory of other data would otherwise list as an empty store.
    (tmp_path / "results.csv").write_text("1,2\n")
    assert main(["jobs", tmp_path.as_uri(), "--json", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert f"warning: {tmp_path.as_uri()} may not be a job store: it has no fsjobstore.json" \
        in captured.err
    assert "only a store's own prefixes, jobs/, files/ and the like" in captured.err


def test_a_store_with_its_marker_gets_no_warning(
    capsys: pytest.CaptureFixture[str], store_url: str
) -> None:
    assert main(["jobs", store_url, "--json", "--no-progress"]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_url_naming_a_file_says_so(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a store\n")
    assert main(["info", (tmp_path / "notes.txt").as_uri()]) == 1
    assert "it is a file, not a directory or prefix" in capsys.readouterr().err
    assert main(["info", (tmp_path / "empty").as_uri()]) == 1
    assert "the location is empty" in capsys.readouterr().err


@pytest.mark.parametrize(("url", "says"), [
    ("fsspec://bucket/run", "starts with '//' but names no protocol"),
    ("gs:/bucket/run", "needs '//' after 'gs:'"),
    ("aws:us-east-1:run", "one of Toil's own job stores"),
    ("s3://AKIAEXAMPLE:hunter2secret@bucket/run", "holds a password"),
    ("fsspec:sftp://me:hunter2secret@127.0.0.1/run", "holds a password"),
    ("fsspec:", "needs a URL after 'fsspec:'"),
    ("file:/tmp/run", "how Toil names its own directory job stores"),
    ("fsspec:file:/tmp/run", "how Toil names its own directory job stores"),
    ("local:/tmp/run", "needs '//' after 'local:'"),
    ("fle:///tmp/run", "names the protocol 'fle', which fsspec does not know"),
    ("fsspec:FLE://bucket/run", "names the protocol 'fle', which fsspec does not know"),
])
def test_urls_are_checked_as_job_store_arguments_are(
    capsys: pytest.CaptureFixture[str], url: str, says: str
) -> None:
    # The same typos --jobStore refuses, named rather than found empty.
    for command in (["info", url], ["destroy", url, "--dry-run"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert says in err
        assert "hunter2secret" not in err


def test_open_view_needs_a_url() -> None:
    from fsjobstore.errors import InvalidInputError
    from fsjobstore.view import open_view

    with pytest.raises(InvalidInputError, match="must be a non-empty string, got None"):
        open_view(None)  # type: ignore[arg-type]


def test_info_of_a_prefix_without_a_store_shows_no_python_none(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "results.csv").write_text("1,2\n")
    assert main(["info", tmp_path.as_uri(), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "None" not in out
    assert re.search(r"root job\W+-\W", out)  # "-" for missing, as in the tables


def test_a_typo_in_the_protocol_is_a_locator_error() -> None:
    from fsjobstore import FsspecJobStore
    from fsjobstore.errors import InvalidLocatorError
    from fsjobstore.view import open_view

    for open_store in (open_view, FsspecJobStore):
        with pytest.raises(InvalidLocatorError, match="protocol 'fle', which fsspec does not"):
            open_store("fsspec:fle://bucket/run")


@pytest.mark.parametrize("relative", ["../store", "file://../store", "./sub/../../store",
                                      "~/store", "file://~/store"])
def test_relative_local_paths_are_resolved(
    capsys: pytest.CaptureFixture[str], store_path: Path, monkeypatch: pytest.MonkeyPatch,
    relative: str,
) -> None:
    (store_path.parent / "elsewhere" / "sub").mkdir(parents=True)
    monkeypatch.chdir(store_path.parent / "elsewhere")
    monkeypatch.setenv("HOME", str(store_path.parent))
    info = main(["info", relative, "--json", "--no-progress"])
    captured = capsys.readouterr()
    assert info == 0, captured.err
    assert json.loads(captured.out)["url"].endswith(f"{store_path.parent}/store")
    assert captured.err == ""


def test_a_directory_store_toil_made_itself_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # What --jobStore /path makes: shared/config.pickle and no fsjobstore.json.
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "config.pickle").write_bytes(b"\x80\x04N.")
    assert main(["info", str(tmp_path), "--no-progress"]) == 0
    assert "as a directory store Toil makes itself (--jobStore /path or file:/path) does" \
        in capsys.readouterr().err


def test_a_relative_path_may_hold_a_colon(
    capsys: pytest.CaptureFixture[str], store_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path.rename(store_path.parent / "run-12:30")
    monkeypatch.chdir(store_path.parent)
    assert main(["info", "run-12:30", "--json", "--no-progress"]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["url"].endswith("/run-12:30")


def test_a_chained_url_is_opened_as_fsspec_chains_it(
    capsys: pytest.CaptureFixture[str], store_url: str
) -> None:
    # Inspection only reads: a local cache in front of the store is fine.
    assert main(["info", f"simplecache::{store_url}", "--json", "--no-progress"]) == 0, \
        capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["workflow"]["status"] == "failed"


def test_a_store_copied_into_a_zip_archive_can_be_read(
    capsys: pytest.CaptureFixture[str], store_path: Path, tmp_path: Path
) -> None:
    # The archive's own URL after '::' holds a '//', which is no empty component
    # of the store's path.
    archive = shutil.make_archive(str(tmp_path / "archived"), "zip",
                                  root_dir=store_path.parent, base_dir=store_path.name)
    url = f"zip://{store_path.name}::file://{archive}"
    assert main(["info", url, "--json", "--no-progress"]) == 0, capsys.readouterr().err
    assert json.loads(capsys.readouterr().out)["workflow"]["status"] == "failed"
