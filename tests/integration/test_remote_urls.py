"""CWL and WDL workflows whose input and outputs live on the same cloud as their store.

``s3://`` and ``gs://`` URLs go through Toil's own URL access (pointed at the
emulators by the environment), ``az://`` and ``sftp://`` through fsjobstore's
``toil_url_access_fsspec`` plugin: the input record names the file by URL,
``--destBucket`` where the outputs go, and nothing else changes between providers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fsspec.core
import pytest

from tests.integration.toil_run import (
    EXAMPLES,
    RUN_OPTIONS,
    assert_wc_wdl_outputs,
    cwl_argv,
    run,
    toil_env,
    tool,
)
from tests.servers import Backend, require_module

pytestmark = pytest.mark.integration


@pytest.fixture
def remote_input(backend: Backend) -> Iterator[tuple[str, Any, str]]:
    """``examples/input.txt`` put on *backend*: its URL, filesystem and path; removed after."""
    url = f"{backend.base_url}/{uuid.uuid4().hex}/input.txt"
    fs, path = fsspec.core.url_to_fs(url, **backend.storage_options)
    fs.makedirs(fs._parent(path), exist_ok=True)
    fs.pipe_file(path, (EXAMPLES / "input.txt").read_bytes())
    yield url, fs, path
    fs.rm(fs._parent(path), recursive=True)


@pytest.mark.parametrize("backend", ["s3", "gs", "az", "sftp"], indirect=True)
def test_cwl_input_and_outputs_by_url_on_the_stores_backend(
    backend: Backend, remote_input: tuple[str, Any, str], tmp_path: Path
) -> None:
    require_module("cwltool", "pip install 'toil[cwl]==9.6.0'")
    source, fs, _ = remote_input
    text = (EXAMPLES / "input.txt").read_bytes()
    job = tmp_path / "job.yml"
    job.write_text(f"text:\n  class: File\n  location: {source}\n")
    outputs = source.rsplit("/", 1)[0] + "/outputs"
    run(
        cwl_argv(f"fsspec:{backend.new_url()}", EXAMPLES / "wc.cwl", job,
                 "--destBucket", outputs),
        toil_env(backend.env),
    )
    out_path = fs._strip_protocol(outputs)
    assert fs.cat_file(f"{out_path}/sorted.txt") == b"".join(sorted(text.splitlines(True)))
    assert fs.cat_file(f"{out_path}/count.txt") == f"{len(text.splitlines())}\n".encode()


@pytest.mark.parametrize("backend", ["sftp"], indirect=True)
def test_wdl_input_by_url_on_the_stores_backend(
    backend: Backend, remote_input: tuple[str, Any, str], tmp_path: Path
) -> None:
    # Toil's WDL runner knows URLs by a fixed list of schemes; the start-up hook adds
    # fsjobstore's.  (s3://, gs:// and az:// inputs fail in Toil 9.6's WDL runner
    # itself, with its own FileJobStore too: it asks for "..././input.txt".)
    require_module("WDL", "pip install 'toil[wdl]==9.6.0'")
    inputs = tmp_path / "inputs.json"
    inputs.write_text(json.dumps({"wc.text": remote_input[0]}))
    outdir = tmp_path / "out"
    result = run(
        [tool("toil-wdl-runner"), "--jobStore", f"fsspec:{backend.new_url()}", *RUN_OPTIONS,
         "--outputDirectory", str(outdir), str(EXAMPLES / "wc.wdl"), str(inputs)],
        toil_env(backend.env), cwd=tmp_path,
    )
    assert_wc_wdl_outputs(json.loads(result.stdout), outdir)
