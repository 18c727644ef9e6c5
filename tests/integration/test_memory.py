"""Issue #3: ``memory://`` job stores, and fsspec input URLs on Toil's own job store."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.integration.toil_run import (
    EXAMPLES,
    RUN_OPTIONS,
    fanout_expected,
    run,
    toil_env,
    tool,
)

pytestmark = pytest.mark.integration

SOURCE = EXAMPLES / "input.txt"


def _fanout(locator: str, input_url: str, output: Path, *extra: str) -> list[str]:
    return [tool("python"), str(EXAMPLES / "fanout.py"), "--jobStore", locator, *RUN_OPTIONS,
            "--chunks", "2", *extra, input_url, output.as_uri()]


def test_memory_store_runs_with_in_process_workers(tmp_path: Path) -> None:
    output = tmp_path / "result.txt"
    locator = f"fsspec:memory://fsjobstore-tests/{uuid.uuid4().hex}"
    run(_fanout(locator, SOURCE.as_uri(), output, "--debugWorker"), toil_env())
    assert output.read_text("utf-8") == fanout_expected(SOURCE.read_text("utf-8"), 2)


def test_memory_store_without_debug_worker_fails_early_and_clearly(tmp_path: Path) -> None:
    output = tmp_path / "result.txt"
    locator = f"fsspec:memory://fsjobstore-tests/{uuid.uuid4().hex}"
    result = run(_fanout(locator, SOURCE.as_uri(), output), toil_env(), check=False)
    assert result.returncode != 0
    assert "StoreOpenError: the job store" in result.stderr and "--debugWorker" in result.stderr
    assert "Issuing the command" not in result.stderr  # no job ever started
    assert not output.exists()


def test_url_access_plugin_serves_fsspec_schemes_toil_lacks() -> None:
    from toil.lib.url import URLAccess

    from fsjobstore.toil_url import FsspecURLAccess

    for url in ("memory://bucket/key", "az://container/key"):
        assert URLAccess._find_url_implementation(urlparse(url)) is FsspecURLAccess


_IMPORT_FROM_MEMORY = """
import runpy, sys
import fsspec
fsspec.filesystem("memory").pipe_file("/inputs/input.txt", open(sys.argv[1], "rb").read())
sys.argv = [sys.argv[2], *sys.argv[3:]]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def test_memory_input_imported_into_toils_directory_store(tmp_path: Path) -> None:
    # The leader imports the input, so a memory:// URL filled in the same process works
    # with ordinary worker processes on Toil's own directory job store.
    output = tmp_path / "result.txt"
    argv = _fanout(str(tmp_path / "jobstore"), "memory://inputs/input.txt", output)
    run([argv[0], "-c", _IMPORT_FROM_MEMORY, str(SOURCE), *argv[1:]], toil_env())
    assert output.read_text("utf-8") == fanout_expected(SOURCE.read_text("utf-8"), 2)
