"""A workflow with a service job: Toil steers services through flag files in the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.toil_run import RUN_OPTIONS, run, toil_env, tool
from tests.servers import Backend

pytestmark = pytest.mark.integration

SERVICE_WORKFLOW = Path(__file__).resolve().parent / "workflows" / "service_workflow.py"


def test_service_starts_serves_and_stops(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    result = run(
        [tool("python"), str(SERVICE_WORKFLOW), "--jobStore", locator, *RUN_OPTIONS,
         "--servicePollingInterval", "1", str(tmp_path)],
        toil_env(workflow_backend.env), cwd=tmp_path,
    )
    assert "result: HELLO FROM THE SERVICE" in result.stdout
    assert (tmp_path / "stopped").read_text() == "stopped\n"
    assert not workflow_backend.filesystem().exists(locator.removeprefix("fsspec:"))
