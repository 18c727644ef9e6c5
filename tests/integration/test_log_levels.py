"""fsjobstore's warnings reach a Toil worker's log at the level Toil was given."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.integration.toil_run import RUN_OPTIONS, run, toil_env, tool

pytestmark = pytest.mark.integration

WORKFLOW = Path(__file__).resolve().parent / "workflows" / "log_levels_workflow.py"


def test_a_worker_keeps_fsjobstore_loggers_at_the_workflow_level(tmp_path: Path) -> None:
    """A worker sets its level after opening the store, when fsjobstore's loggers exist;
    Toil's clean-up of third-party loggers used to set them to CRITICAL."""
    output = tmp_path / "levels.txt"
    locator = f"fsspec:file://{tmp_path / 'store'}"
    run([tool("python"), str(WORKFLOW), "--jobStore", locator, *RUN_OPTIONS, str(output)],
        toil_env())
    assert output.read_text(encoding="utf-8").splitlines() == [
        "fsjobstore INFO", "fsjobstore._toil_jobs INFO"]


def test_toil_log_set_up_leaves_own_loggers_and_suppresses_sdks() -> None:
    from toil.statsAndLogging import set_log_level

    from fsjobstore import register

    register()
    for name in ("fsjobstore", "toil_url_access_fsspec", "gcsfs"):  # tests.logging_state restores
        logging.getLogger(name).setLevel(logging.NOTSET)
    logging.getLogger("toil_url_access_fsspec").setLevel(logging.DEBUG)  # chosen: kept
    set_log_level("WARNING")
    assert logging.getLogger("fsjobstore.maintenance").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("toil_url_access_fsspec").level == logging.DEBUG
    assert logging.getLogger("gcsfs").level == logging.CRITICAL  # Toil's to suppress
