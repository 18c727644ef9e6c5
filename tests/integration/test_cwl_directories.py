"""CWL Directory, secondaryFiles, File[] and scatter through an fsspec store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.toil_run import cwl_argv, run, toil_env
from tests.servers import Backend, require_module

pytestmark = pytest.mark.integration

WORKFLOW = Path(__file__).parent / "workflows" / "directories.cwl"


def _inputs(tmp_path: Path) -> Path:
    given = tmp_path / "given"
    (given / "tree" / "sub").mkdir(parents=True)
    (given / "tree" / "top.txt").write_text("top\n")
    (given / "tree" / "sub" / "deep.txt").write_text("deep\n")
    (given / "ref.fa").write_text(">chr1\nACGT\n")
    (given / "ref.fa.fai").write_text("chr1\t4\t6\t4\t5\n")
    (given / "one.txt").write_text("first text\n")
    (given / "two.txt").write_text("second text\n")
    job = {
        "tree": {"class": "Directory", "path": str(given / "tree")},
        "reference": {"class": "File", "path": str(given / "ref.fa")},
        "texts": [{"class": "File", "path": str(given / name)} for name in ("one.txt", "two.txt")],
    }
    job_file = tmp_path / "job.json"
    job_file.write_text(json.dumps(job))
    return job_file


def test_directories_secondary_files_and_scatter(
    workflow_backend: Backend, locator: str, tmp_path: Path
) -> None:
    require_module("cwltool", "pip install 'toil[cwl]==9.6.0'")
    outdir = tmp_path / "out"
    result = run(
        cwl_argv(locator, WORKFLOW, _inputs(tmp_path), "--outdir", str(outdir)),
        toil_env(workflow_backend.env),
    )
    outputs = json.loads(result.stdout)
    assert [Path(f["path"]).name for f in outputs["shouted"]] == ["one.loud.txt", "two.loud.txt"]
    assert (outdir / "one.loud.txt").read_text() == "FIRST TEXT\n"
    assert (outdir / "two.loud.txt").read_text() == "SECOND TEXT\n"
    summary = outdir / "summary"
    assert summary.is_dir()
    assert (summary / "tree.txt").read_text() == ".\n./sub\n./sub/deep.txt\n./top.txt\n"
    assert (summary / "reference.txt").read_text() == ">chr1\nACGT\nchr1\t4\t6\t4\t5\n"
    assert (summary / "texts.txt").read_text() == "FIRST TEXT\nSECOND TEXT\n"
    # --clean defaults to onSuccess: the store is gone.
    assert not workflow_backend.filesystem().exists(locator.removeprefix("fsspec:"))
