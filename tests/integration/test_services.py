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


@pytest.mark.parametrize("workflow_backend", ["file", "s3"], indirect=True)
def test_a_failed_workflow_with_a_service_verifies_clean(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    """Toil deletes a service's flag files when the service ends, while its host's
    description may stay in a failed workflow's store: not missing files."""
    result = run(
        [tool("python"), str(SERVICE_WORKFLOW), "--jobStore", locator, *RUN_OPTIONS,
         "--servicePollingInterval", "1", "--retryCount", "0", "--clean", "never",
         "--fail", str(tmp_path)],
        toil_env(workflow_backend.env), cwd=tmp_path, check=False,
    )
    assert result.returncode != 0
    assert "failing on purpose" in result.stdout + result.stderr
    url = locator.removeprefix("fsspec:")
    verify = run([tool("fsjobstore"), "verify", url, "--json", "--no-progress"],
                 toil_env(workflow_backend.env), check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    run([tool("toil"), "clean", locator], toil_env(workflow_backend.env))
