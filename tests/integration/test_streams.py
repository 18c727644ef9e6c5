"""A real Toil workflow passes a file of several upload parts as a stream, on
every backend workers reach (S3, GCS and Azure upload it in parts as written)."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from fsjobstore import _storage_writes
from tests.integration.toil_run import RUN_OPTIONS, run, toil_env, tool
from tests.servers import Backend

pytestmark = pytest.mark.integration

WORKFLOW = Path(__file__).resolve().parent / "workflows" / "streams_workflow.py"
SIZE = 2 * _storage_writes._PART_SIZE + 12345  # three parts


def _workflow() -> ModuleType:
    # The workflow lives outside any package (Toil ships it to workers as a script).
    spec = importlib.util.spec_from_file_location("streams_workflow", WORKFLOW)
    if spec is None or spec.loader is None:
        raise ImportError(WORKFLOW)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_stream_of_several_parts_passes_between_jobs(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    output = tmp_path / "digest.txt"
    run([tool("python"), str(WORKFLOW), "--jobStore", locator, *RUN_OPTIONS,
         str(SIZE), str(output)], toil_env(workflow_backend.env))
    expected = hashlib.sha256(_workflow().content(SIZE)).hexdigest()
    assert output.read_text(encoding="utf-8") == f"{SIZE} {expected}\n"
    # --clean defaults to onSuccess: the store is gone.
    assert not workflow_backend.filesystem().exists(locator.removeprefix("fsspec:"))
