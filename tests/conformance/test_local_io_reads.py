"""Local reads: jobs through os.open/os.read, whole under short reads; streams the
open file, its descriptor closed when the block ends."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from toil.job import JobDescription

from fsjobstore import _local_io
from fsjobstore.errors import BackendError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance.conftest import initialized
from tests.servers import Backend


@pytest.fixture
def local_store(file_backend: Backend) -> Iterator[FsspecJobStore]:
    yield from initialized(file_backend)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _short_reads(monkeypatch: pytest.MonkeyPatch, at_most: int) -> list[int]:
    """Make every os.read in the local reader return at most *at_most* bytes."""
    real_read = _local_io._read
    sizes: list[int] = []

    def short_read(fd: int, n: int) -> bytes:
        data = real_read(fd, min(n, at_most))
        sizes.append(len(data))
        return data

    monkeypatch.setattr(_local_io, "_read", short_read)
    return sizes


def test_short_reads_still_give_the_whole_job(
    local_store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = JobDescription(requirements={"memory": 1, "cores": 1, "disk": 1, "preemptible": False},
                         jobName="j" * 3000, unitName="u")
    local_store.assign_job_id(job)
    local_store.create_job(job)
    sizes = _short_reads(monkeypatch, 100)
    loaded = local_store.load_job(str(job.jobStoreID))
    assert loaded.jobName == "j" * 3000
    assert len(sizes) > 10


@pytest.mark.parametrize("size", [0, 5_000, 2 * 1024 * 1024 + 12_345])
def test_a_stream_is_the_open_file_until_the_block_ends(
    local_store: FsspecJobStore, tmp_path: Path, size: int
) -> None:
    # As Toil's own store: a job may hand the stream to a subprocess.
    payload = os.urandom(size)
    source = tmp_path / "source"
    source.write_bytes(payload)
    file_id = local_store.write_file(str(source))
    before = _open_fds()
    with local_store.read_file_stream(file_id) as f:
        assert _open_fds() == before + 1
        copied = subprocess.run(["cat"], stdin=f, capture_output=True, check=True).stdout
        assert copied == payload
    assert _open_fds() == before
    with local_store.write_shared_file_stream("blob") as w:
        w.write(payload)
    with local_store.read_shared_file_stream("blob") as f:
        assert f.read(10) == payload[:10]
        assert f.read() == payload[10:]
    assert _open_fds() == before


def test_a_directory_where_a_file_should_be_names_the_key(
    local_store: FsspecJobStore,
) -> None:
    os.makedirs(local_store.storage.path("shared/odd"))
    before = _open_fds()
    with (pytest.raises(BackendError, match="shared/odd") as raised,
          local_store.read_shared_file_stream("odd")):
        pass
    assert "IsADirectoryError" in str(raised.value)
    assert _open_fds() == before  # the descriptor os.open gave is closed
