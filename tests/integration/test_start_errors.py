"""A store that cannot be opened or created stops a CWL run with one line, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.toil_run import EXAMPLES, RUN_OPTIONS, cwl_argv, run, toil_env, tool
from tests.servers import require_module

pytestmark = pytest.mark.integration


def _cwl(locator: str, tmp_path: Path) -> tuple[int, str]:
    require_module("cwltool", "pip install 'toil[cwl]==9.6.0'")
    result = run(
        cwl_argv(locator, EXAMPLES / "wc.cwl", EXAMPLES / "wc-job.yml",
                 "--outdir", str(tmp_path / "out")),
        toil_env(), check=False,
    )
    return result.returncode, result.stderr


def _one_line_error(stderr: str, *expected: str) -> None:
    assert "Traceback" not in stderr, stderr[-3000:]
    errors = [line for line in stderr.splitlines() if "] [E] [" in line]
    assert len(errors) == 1, stderr[-3000:]
    for text in expected:
        assert text in errors[0]


def test_a_prefix_holding_other_data(tmp_path: Path) -> None:
    prefix = tmp_path / "data"
    prefix.mkdir()
    (prefix / "results.csv").write_text("keep me\n")
    status, stderr = _cwl(f"fsspec:{prefix.as_uri()}", tmp_path)
    assert status == 1
    _one_line_error(stderr, "already holds objects that are not a job store")
    assert [p.name for p in prefix.iterdir()] == ["results.csv"]


def test_an_unreachable_server(tmp_path: Path) -> None:
    # Nothing listens on port 1 of the loopback: the connection is refused at once.
    status, stderr = _cwl("fsspec:sftp://127.0.0.1:1/run1", tmp_path)
    assert status == 1
    _one_line_error(stderr, "cannot open store URL sftp://127.0.0.1:1/run1",
                    "ConnectionRefusedError")


def test_the_wdl_runner_shows_no_backend_frames(tmp_path: Path) -> None:
    # Toil's WDL runner logs the traceback of any error; it holds Toil's frames
    # and fsjobstore's, none from the SSH library (that one is for --logDebug).
    require_module("WDL", "pip install 'toil[wdl]==9.6.0'")
    result = run(
        [tool("toil-wdl-runner"), "--jobStore", "fsspec:sftp://127.0.0.1:1/run1", *RUN_OPTIONS,
         "--outputDirectory", str(tmp_path / "out"), str(EXAMPLES / "wc.wdl"),
         str(EXAMPLES / "wc-inputs.json")],
        toil_env(), cwd=tmp_path, check=False,
    )
    assert result.returncode == 1
    assert "cannot open store URL sftp://127.0.0.1:1/run1: ConnectionRefusedError" in result.stderr
    assert "asyncssh" not in result.stderr and "sshfs" not in result.stderr, result.stderr


def test_toils_utilities_show_no_backend_frames() -> None:
    # `toil status` would print the traceback of an error it does not expect;
    # fsjobstore's message is printed alone, and nothing from the SSH library.
    result = run([tool("toil"), "status", "fsspec:sftp://127.0.0.1:1/run1"], toil_env(),
                 check=False)
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("toil status: error: cannot open store URL "
                           "sftp://127.0.0.1:1/run1: ConnectionRefusedError"), last
    assert "asyncssh" not in result.stderr and "sshfs" not in result.stderr, result.stderr
