"""A CWL workflow whose input and outputs live on the same cloud as its ``fsspec:`` store.

``s3://`` and ``gs://`` URLs go through Toil's own URL access (pointed at the
emulators by the environment), ``az://`` and ``sftp://`` through fsjobstore's
``toil_url_access_fsspec`` plugin: the input record names the file by URL,
``--destBucket`` where the outputs go, and nothing else changes between providers.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import fsspec.core
import pytest

from tests.integration.toil_run import EXAMPLES, RUN_OPTIONS, run, toil_env, tool
from tests.servers import Backend, require_module

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("backend", ["s3", "gs", "az", "sftp"], indirect=True)
def test_cwl_input_and_outputs_by_url_on_the_stores_backend(
    backend: Backend, tmp_path: Path
) -> None:
    require_module("cwltool", "pip install 'toil[cwl]==9.6.0'")
    text = (EXAMPLES / "input.txt").read_bytes()
    source = f"{backend.base_url}/{uuid.uuid4().hex}/input.txt"
    fs, path = fsspec.core.url_to_fs(source, **backend.storage_options)
    fs.makedirs(fs._parent(path), exist_ok=True)
    fs.pipe_file(path, text)
    job = tmp_path / "job.yml"
    job.write_text(f"text:\n  class: File\n  location: {source}\n")
    outputs = source.rsplit("/", 1)[0] + "/outputs"
    run(
        [tool("toil-cwl-runner"), "--jobStore", f"fsspec:{backend.new_url()}", *RUN_OPTIONS,
         "--destBucket", outputs, str(EXAMPLES / "wc.cwl"), str(job)],
        toil_env(backend.env),
    )
    out_path = fs._strip_protocol(outputs)
    assert fs.cat_file(f"{out_path}/sorted.txt") == b"".join(sorted(text.splitlines(True)))
    assert fs.cat_file(f"{out_path}/count.txt") == f"{len(text.splitlines())}\n".encode()
    fs.rm(fs._parent(path), recursive=True)


@pytest.mark.parametrize("backend", ["sftp"], indirect=True)
def test_wdl_input_by_url_on_the_stores_backend(backend: Backend, tmp_path: Path) -> None:
    # Toil's WDL runner knows URLs by a fixed list of schemes; the start-up hook adds
    # fsjobstore's.  (s3://, gs:// and az:// inputs fail in Toil 9.6's WDL runner
    # itself, with its own FileJobStore too: it asks for "..././input.txt".)
    require_module("WDL", "pip install 'toil[wdl]==9.6.0'")
    text = (EXAMPLES / "input.txt").read_text("utf-8")
    source = f"{backend.base_url}/{uuid.uuid4().hex}/input.txt"
    fs, path = fsspec.core.url_to_fs(source, **backend.storage_options)
    fs.makedirs(fs._parent(path), exist_ok=True)
    fs.pipe_file(path, text.encode())
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({"wc.text": source}))
    outdir = tmp_path / "out"
    result = run(
        [tool("toil-wdl-runner"), "--jobStore", f"fsspec:{backend.new_url()}", *RUN_OPTIONS,
         "--outputDirectory", str(outdir), str(EXAMPLES / "wc.wdl"), str(inputs)],
        toil_env(backend.env), cwd=tmp_path,
    )
    outputs = json.loads(result.stdout)
    lines = text.splitlines()
    assert outputs["wc.line_count"] == len(lines)
    assert Path(outputs["wc.quoted"]).read_text("utf-8") == "".join(f"> {x}\n" for x in lines)
    fs.rm(fs._parent(path), recursive=True)
