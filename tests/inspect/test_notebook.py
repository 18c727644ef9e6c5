"""``examples/explore_store.ipynb`` runs top to bottom."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

from tests._server_kit import require_module
from tests.inspect.conftest import REPO_ROOT

NOTEBOOK = REPO_ROOT / "examples" / "explore_store.ipynb"


@pytest.mark.slow
def test_example_notebook_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("nbclient", "nbformat", "ipykernel"):
        require_module(module, "pip install -r requirements/ci.txt")
    import nbclient
    import nbformat
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    made = set(Path(tempfile.gettempdir()).glob("fsjobstore-example-*"))
    nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(REPO_ROOT)}},
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert any("fsjobstore job store" in h for h in html)  # the view's own display
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "exploding on purpose" in text
    # It cleans up after itself: no temporary directory left per run.
    assert set(Path(tempfile.gettempdir()).glob("fsjobstore-example-*")) <= made
