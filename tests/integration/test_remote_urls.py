"""A CWL workflow whose input and outputs live on the same cloud as its ``fsspec:`` store.

``s3://`` and ``gs://`` URLs go through Toil's own URL access (pointed at the
emulators by the environment), ``az://`` and ``sftp://`` through fsjobstore's
``toil_url_access_fsspec`` plugin: the input record names the file by URL,
``--destBucket`` where the outputs go, and nothing else changes between providers.
"""

from __future__ import annotations

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
