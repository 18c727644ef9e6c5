"""Toil's file stores ask an fsspec store for IDs that are not its own and get
Toil's ``NoSuchFileException``, with or without caching, as from Toil's stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.toil_run import RUN_OPTIONS, run, toil_env, tool
from tests.servers import Backend

pytestmark = pytest.mark.integration

WORKFLOW = Path(__file__).resolve().parent / "workflows" / "unknown_ids_workflow.py"


@pytest.mark.parametrize("caching", ["true", "false"])
@pytest.mark.parametrize("workflow_backend", ["file", "s3"], indirect=True)
def test_a_job_reading_an_unknown_id_gets_no_such_file(
    workflow_backend: Backend, locator: str, caching: str, tmp_path: Path
) -> None:
    output = tmp_path / "seen.txt"
    run([tool("python"), str(WORKFLOW), "--jobStore", locator, *RUN_OPTIONS,
         "--caching", caching, str(output)], toil_env(workflow_backend.env))
    lines = output.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5, lines
    for line in lines:
        assert ": NoSuchFileException " in line, line
        assert "is not a file ID" in line or "path component" in line, line
