"""Large files between local disk and an object store, in bounded memory.

A worker reads every input to local disk (``read_file``) and writes outputs
from it (``write_file``); a file of any size must not be held in memory.  The
request sequence shows it: one streaming GET on S3 (s3fs would split a file
above its block size into ranged GETs, ten 50 MiB parts in memory at once),
an Azure upload in parts (the Azure SDK's upload of the open file held all
of it), and an Azure download a few ranges at a time.
"""

from __future__ import annotations

import filecmp
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from toil.common import Config

from fsjobstore import _storage_writes
from fsjobstore.errors import BackendError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._counting import RequestCounter
from tests.conformance._http_count import HttpRequests, azure_operation
from tests.conformance.conftest import initialized
from tests.servers import Backend

PART = _storage_writes._PART_SIZE


@pytest.fixture
def small_block_s3_store(s3_backend: Backend) -> Iterator[FsspecJobStore]:
    """An S3 store whose s3fs splits transfers above 1 MiB (its default: 50 MiB)."""
    store = FsspecJobStore(s3_backend.new_url(), default_block_size=1024 * 1024,
                           **s3_backend.storage_options)
    config = Config()
    store.initialize(config)
    yield store
    store.destroy()
    Path(config.write_messages).unlink(missing_ok=True)


def test_s3_read_file_is_one_streaming_get_above_s3fs_block_size(
    small_block_s3_store: FsspecJobStore, tmp_path: Path
) -> None:
    store = small_block_s3_store
    content = os.urandom(5 * 1024 * 1024 + 3)
    local = tmp_path / "large.bin"
    local.write_bytes(content)
    file_id = store.write_file(str(local))
    with RequestCounter(store.storage.fs) as counter:
        store.read_file(file_id, str(tmp_path / "copy"))
    assert counter.by_operation == {"GetObject": 1}
    assert counter.get_ranges == [None]
    assert (tmp_path / "copy").read_bytes() == content


@pytest.fixture
def az_store(az_backend: Backend) -> Iterator[FsspecJobStore]:
    yield from initialized(az_backend)


def test_azure_write_file_is_uploaded_in_parts(az_store: FsspecJobStore, tmp_path: Path) -> None:
    content = os.urandom(2 * PART + 5)
    local = tmp_path / "large.bin"
    local.write_bytes(content)
    with HttpRequests(azure_operation) as seen:
        file_id = az_store.write_file(str(local))
    assert seen.counts == {"Put Block": 3, "Put Block List": 1}
    copy = tmp_path / "copy"
    az_store.read_file(file_id, str(copy))
    assert copy.read_bytes() == content
    # Replacing it is atomic as well: the new version whole, or the old one.
    local.write_bytes(content[::-1])
    az_store.update_file(file_id, str(local))
    az_store.read_file(file_id, str(copy))
    assert copy.read_bytes() == content[::-1]


def test_azure_read_file_downloads_a_few_ranges_at_a_time(
    az_store: FsspecJobStore, tmp_path: Path
) -> None:
    # adlfs hands the Azure SDK fsspec's batch size (thousands) as the download
    # concurrency: every range of the blob requested at once, each held in memory.
    local = tmp_path / "large.bin"
    with local.open("wb") as out:
        for _ in range(16):
            out.write(os.urandom(4 * 1024 * 1024))
    file_id = az_store.write_file(str(local))
    with HttpRequests(azure_operation) as seen:
        az_store.read_file(file_id, str(tmp_path / "copy"))
    assert seen.counts["Get Blob"] > 5  # more ranges than may be in flight
    assert seen.peak_in_flight["Get Blob"] == 4
    assert filecmp.cmp(local, tmp_path / "copy", shallow=False)


def test_azure_write_file_that_fails_midway_stores_nothing(
    az_store: FsspecJobStore, tmp_path: Path
) -> None:
    local = tmp_path / "large.bin"
    local.write_bytes(os.urandom(2 * PART + 5))
    with HttpRequests(azure_operation, fail=("Put Block", 2)), pytest.raises(BackendError):
        az_store.write_file(str(local))
    fs = az_store.storage.fs
    root = az_store.storage.root
    assert [p for p in fs.find(root) if "/files/" in p or "/owned/" in p] == []
