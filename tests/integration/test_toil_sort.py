"""Toil's own sort example (``toil.test.sort.sort``) on an ``fsspec:`` store.

A workflow written by Toil's authors, not by us: it imports and exports files,
streams through the global file store, returns promises, and with
``--downCheckpoints`` makes checkpoint jobs, which Toil restarts from their
saved state.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.integration.toil_run import RUN_OPTIONS, run, toil_env, tool
from tests.servers import Backend

pytestmark = pytest.mark.integration


def test_toil_sort_example_sorts(workflow_backend: Backend, locator: str, tmp_path: Path) -> None:
    rng = random.Random(7)
    lines = ["".join(rng.choice("ACGTN") for _ in range(30)) + "\n" for _ in range(2000)]
    source = tmp_path / "unsorted.txt"
    source.write_text("".join(lines))
    output = tmp_path / "sorted.txt"
    run(
        [tool("python"), "-m", "toil.test.sort.sort", locator, *RUN_OPTIONS,
         "--fileToSort", str(source), "--outputFile", str(output),
         "--N", "20000", "--downCheckpoints"],
        toil_env(workflow_backend.env), cwd=tmp_path,
    )
    assert output.read_text() == "".join(sorted(lines))
    assert not workflow_backend.filesystem().exists(locator.removeprefix("fsspec:"))
