"""Imported files keep their names in the store, on every backend.

``docs/layout.md``: a file's key ends in its basename, so a person browsing the
store sees ``reads.fastq``, not ``stream`` (what Toil's own generic import
would name it).  A local file is uploaded whole; a URL is streamed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import all_keys


def test_a_local_import_keeps_its_name(store: FsspecJobStore, tmp_path: Path) -> None:
    local = tmp_path / "reads.fastq"
    local.write_bytes(b"@r1\nACGT\n+\nIIII\n")
    file_id = store.import_file(local.as_uri())
    assert file_id is not None
    assert str(file_id).rsplit("/", 1)[-1] == "reads.fastq"
    with store.read_file_stream(file_id) as f:
        assert f.read() == local.read_bytes()


@pytest.fixture
def memory_url() -> Iterator[str]:
    url = f"memory://fsjobstore-imports/{uuid.uuid4().hex}/sample 1.vcf"
    fs = fsspec.filesystem("memory")
    fs.pipe_file(url, b"##fileformat=VCFv4.2\n")
    yield url
    fs.rm_file(url)


def test_a_url_import_keeps_its_name(store: FsspecJobStore, memory_url: str) -> None:
    file_id = store.import_file(memory_url)
    assert file_id is not None
    assert str(file_id).rsplit("/", 1)[-1] == "sample_1.vcf"  # key-safe
    with store.read_file_stream(file_id) as f:
        assert f.read() == b"##fileformat=VCFv4.2\n"
    assert not [k for k in all_keys(store) if k.endswith("/stream")]
