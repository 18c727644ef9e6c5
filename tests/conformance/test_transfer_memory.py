"""A worker's ``write_file`` and ``read_file`` of a large file in bounded memory.

Toil's workers move every input and output between local disk and the store
this way; a file must never be held in memory whole.  Child processes move a
320 MiB file each way and report how much the transfer raised their peak
resident set: it must stay below 128 MiB (fsjobstore's transfers hold 8 MiB
parts, a few at a time).  Before fsjobstore chose each transfer's
concurrency, an Azure upload held the whole file, and S3 and Azure downloads
up to 500 MiB.
"""

from __future__ import annotations

import contextlib
import filecmp
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from toil.jobStores.abstractJobStore import NoSuchJobStoreException

from fsjobstore.jobstore import FsspecJobStore
from tests.servers import Backend

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux only")]

SIZE = 320 * 1024 * 1024
#: fsjobstore's transfers hold 8 MiB parts, a few at a time, each copied on its way.
LIMIT = 128 * 1024 * 1024
REPO = Path(__file__).resolve().parents[2]


def _transfer(backend: Backend, *args: str) -> list[str]:
    """Run the child; its output lines (the last: the peak it added, KiB)."""
    env = backend.subprocess_env()
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-m", "tests.conformance._transfer_memory", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


@pytest.fixture
def files(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A large local file and where its copy goes; both removed afterwards."""
    local, copy = tmp_path / "large.bin", tmp_path / "copy.bin"
    with local.open("wb") as f:
        for _ in range(SIZE // (16 * 1024 * 1024)):
            f.write(os.urandom(16 * 1024 * 1024))
    yield local, copy
    local.unlink()
    copy.unlink(missing_ok=True)


@pytest.mark.parametrize("backend", ["s3", "az", "gs"], indirect=True)
def test_large_transfers_keep_memory_bounded(
    backend: Backend, files: tuple[Path, Path]
) -> None:
    local, copy = files
    url = backend.new_url()
    try:
        file_id, written = _transfer(backend, "write", url, str(local))
        (read,) = _transfer(backend, "read", url, str(copy), file_id)
    finally:
        store = FsspecJobStore(url, **backend.storage_options)
        with contextlib.suppress(NoSuchJobStoreException):
            store.resume()
            store.destroy()
    assert filecmp.cmp(copy, local, shallow=False)  # in pieces: this process stays small
    limit = LIMIT // 1024
    assert int(written) < limit, f"write_file raised the peak by {int(written) // 1024} MiB"
    assert int(read) < limit, f"read_file raised the peak by {int(read) // 1024} MiB"
