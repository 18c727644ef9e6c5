"""Stores left behind by a real Toil workflow (:mod:`tests.inspect.workflow`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def python_env() -> dict[str, str]:
    """The environment for a subprocess: this venv's scripts (``_toil_worker``) on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")])
    return env


@pytest.fixture(scope="session")
def workflow_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pristine store (a directory) from one run of the workflow; do not modify it."""
    path = tmp_path_factory.mktemp("workflow") / "store"
    done = subprocess.run(
        [sys.executable, "-m", "tests.inspect.workflow", path.as_uri()],
        cwd=REPO_ROOT, env=python_env(), capture_output=True, text=True, timeout=300,
    )
    if done.returncode != 1:  # the workflow fails on purpose
        pytest.fail(f"workflow exited {done.returncode}, expected 1:\n{done.stderr[-4000:]}")
    return path


@pytest.fixture
def store_path(workflow_store: Path, tmp_path: Path) -> Path:
    """A private copy of the workflow's store, free to corrupt."""
    copy = tmp_path / "store"
    shutil.copytree(workflow_store, copy)
    return copy


@pytest.fixture
def store_url(store_path: Path) -> str:
    return store_path.as_uri()
