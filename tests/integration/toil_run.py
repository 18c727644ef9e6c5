"""Running real Toil commands in subprocesses for the integration tests.

Every command runs with the interpreter under test (so the installed start-up
hook is what makes Toil understand ``fsspec:`` locators), the single-machine
batch system where it applies, and a bounded timeout.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples"
# Outside any package: Toil refuses to ship a user script that lives in one.
CONTROLLED = Path(__file__).resolve().parent / "workflows" / "controlled_workflow.py"
BIN_DIR = Path(sys.executable).parent
#: Upper bound for one Toil command; a healthy run takes 10-30 s.
TIMEOUT_S = 300.0
#: Options every workflow run gets.
RUN_OPTIONS = ("--batchSystem", "single_machine", "--maxCores", "2", "--logLevel", "INFO")
_FIXED_ENV = {
    "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
    "TOIL_SKIP_ONLINE": "true",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def toil_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a Toil subprocess: ours, *extra*, and the venv's bin dir first."""
    # With TOIL_CHECK_ENV=True Toil names the worker by absolute path, and then
    # --debugWorker no longer recognises it and runs it in a subprocess.
    skip = ("FSJOBSTORE_NO_HOOK", "TOIL_CHECK_ENV")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(_FIXED_ENV)
    env.update(extra or {})
    env["PATH"] = os.pathsep.join([str(BIN_DIR), env.get("PATH", "")])
    return env


def tool(name: str) -> str:
    """Path of a console script installed next to the interpreter."""
    return str(BIN_DIR / name)


def cwl_argv(locator: str, workflow: Path, job: Path, *options: str) -> list[str]:
    """``toil-cwl-runner`` on *locator* with the usual run options, then *options*."""
    return [tool("toil-cwl-runner"), "--jobStore", locator, *RUN_OPTIONS, *options,
            str(workflow), str(job)]


def run(
    argv: Sequence[str], env: Mapping[str, str], cwd: Path | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run *argv*, capture its output, and fail with the output when *check* and it fails."""
    result = subprocess.run(
        list(argv), env=dict(env), cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(argv)} exited {result.returncode}\n--- stdout\n{result.stdout[-5000:]}"
            f"\n--- stderr\n{result.stderr[-10000:]}"
        )
    return result


def wait_for(condition: Callable[[], bool], what: str, limit_s: float = TIMEOUT_S) -> None:
    """Poll *condition* until it holds; fail naming *what* after *limit_s* seconds."""
    deadline = time.monotonic() + limit_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {limit_s} s waiting for {what}")
        time.sleep(0.1)


def fanout_expected(text: str, chunks: int) -> str:
    """The exact output of ``examples/fanout.py`` for *text* (computed independently)."""
    lines = text.splitlines(keepends=True)
    return "".join(s.upper() for s in lines) + f"# {len(lines)} lines in {chunks} chunks\n"


def assert_wc_wdl_outputs(outputs: Mapping[str, object], outdir: Path) -> None:
    """Check ``examples/wc.wdl``'s outputs (Toil's JSON) for ``examples/input.txt``."""
    lines = (EXAMPLES / "input.txt").read_text("utf-8").splitlines()
    assert outputs["wc.line_count"] == len(lines)
    quoted = Path(str(outputs["wc.quoted"]))
    assert quoted.is_relative_to(outdir)
    assert quoted.read_text("utf-8") == "".join(f"> {line}\n" for line in lines)
