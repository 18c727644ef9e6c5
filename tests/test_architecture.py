"""The storage core, the inspection API and the CLI never import Toil."""

from __future__ import annotations

import subprocess
import sys

import pytest

TOIL_FREE = [
    "fsjobstore",
    "fsjobstore.errors",
    "fsjobstore.layout",
    "fsjobstore.backends",
    "fsjobstore.storage",
    "fsjobstore._storage_core",
    "fsjobstore._storage_listings",
    "fsjobstore._storage_reads",
    "fsjobstore._storage_writes",
    "fsjobstore.manifest",
    "fsjobstore.marker",
    "fsjobstore.locator",
    "fsjobstore.maintenance",
    "fsjobstore.view",
    "fsjobstore.cli",
    "fsjobstore.registration",
    "fsjobstore._toil_arguments",
    "fsjobstore._job_fields",
    "fsjobstore._text",
    "fsjobstore._worker_env",
    "fsjobstore._sdk_logs",
]


@pytest.mark.parametrize("module", TOIL_FREE)
def test_module_does_not_import_toil(module: str) -> None:
    code = f"import sys, {module}; sys.exit(1 if 'toil' in sys.modules else 0)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"FSJOBSTORE_NO_HOOK": "1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{module} imports toil: {result.stderr}"
