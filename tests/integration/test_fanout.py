"""Issue #3: the example workflow, a CWL and a WDL workflow on ``--jobStore fsspec:<url>``."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from fsjobstore._sdk_logs import CHATTY_LOGGERS
from tests.integration.toil_run import (
    EXAMPLES,
    RUN_OPTIONS,
    assert_wc_wdl_outputs,
    cwl_argv,
    fanout_expected,
    run,
    toil_env,
    tool,
)
from tests.servers import Backend, require_module

pytestmark = pytest.mark.integration


def test_fanout_example_gives_exact_output(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    source = EXAMPLES / "input.txt"
    output = tmp_path / "result.txt"
    result = run(
        [tool("python"), str(EXAMPLES / "fanout.py"), "--jobStore", locator, *RUN_OPTIONS,
         "--chunks", "3", source.as_uri(), output.as_uri()],
        toil_env(workflow_backend.env),
    )
    assert output.read_text(encoding="utf-8") == fanout_expected(source.read_text("utf-8"), 3)
    assert f"result: {output.as_uri()}" in result.stdout
    # The storage SDKs' routine INFO (the Azure SDK logs every request's headers,
    # asyncssh every connection) stays out of the leader's log.
    chatter = [line for line in (result.stdout + result.stderr).splitlines()
               if re.search(r"\] \[(I|D)\] \[(" + "|".join(CHATTY_LOGGERS) + r")\b", line)]
    assert not chatter, chatter[:5]
    # --clean defaults to onSuccess: the store is gone.
    assert not workflow_backend.filesystem().exists(locator.removeprefix("fsspec:"))


def test_cwl_workflow_gives_byte_exact_output(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    require_module("cwltool", "pip install 'toil[cwl]==9.6.0'")
    outdir = tmp_path / "out"
    run(
        cwl_argv(locator, EXAMPLES / "wc.cwl", EXAMPLES / "wc-job.yml", "--outdir", str(outdir)),
        toil_env(workflow_backend.env),
    )
    text = (EXAMPLES / "input.txt").read_bytes()
    expected_sorted = b"".join(sorted(text.splitlines(keepends=True)))  # C collation: bytes
    assert (outdir / "sorted.txt").read_bytes() == expected_sorted
    assert (outdir / "count.txt").read_bytes() == f"{len(text.splitlines())}\n".encode()


def test_wdl_workflow_gives_exact_output(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    require_module("WDL", "pip install 'toil[wdl]==9.6.0'")
    outdir = tmp_path / "out"
    result = run(
        [tool("toil-wdl-runner"), "--jobStore", locator, *RUN_OPTIONS, "--outputDirectory",
         str(outdir), str(EXAMPLES / "wc.wdl"), str(EXAMPLES / "wc-inputs.json")],
        toil_env(workflow_backend.env), cwd=tmp_path,
    )
    assert_wc_wdl_outputs(json.loads(result.stdout), outdir)
    # Toil's default --clean onSuccess removed the store.
    assert not workflow_backend.filesystem().exists(locator.removeprefix("fsspec:"))


def test_invalid_locator_is_refused_before_anything_runs(tmp_path: Path) -> None:
    bad = f"fsspec:file://{tmp_path}/a;b"
    result = subprocess.run(
        [tool("python"), str(EXAMPLES / "fanout.py"), "--jobStore", bad, "x", "y"],
        env=toil_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "shell" in result.stderr and "';'" in result.stderr
    assert not list(tmp_path.iterdir())
