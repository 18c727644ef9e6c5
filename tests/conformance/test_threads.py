"""One store used from several threads at once, as Toil's workers do.

A worker commits one job (``update_job``, file uploads) in a background thread
while its main thread loads the next one.  Every backend must serve that; where
the fsspec filesystem is not thread-safe (FTP's single control connection), each
thread gets its own instance.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import new_job

THREADS = 6
ROUNDS = 8


def _work(store: FsspecJobStore, start: threading.Barrier, n: int) -> list[str]:
    start.wait()
    seen = []
    job = new_job(store, f"thread{n}")
    for i in range(ROUNDS):
        content = f"thread {n} round {i}".encode() * (n + 1)
        with store.write_file_stream(str(job.jobStoreID)) as (stream, file_id):
            stream.write(content)
        job.jobName = f"thread{n}-round{i}"
        store.update_job(job)
        with store.read_file_stream(file_id) as read:
            assert read.read() == content
        assert store.get_file_size(file_id) == len(content)
        assert store.load_job(str(job.jobStoreID)).jobName == f"thread{n}-round{i}"
        store.delete_file(file_id)
        assert not store.file_exists(file_id)
        seen.append(f"{n}:{i}")
    return seen


def test_threads_sharing_a_store_see_their_own_writes(store: FsspecJobStore) -> None:
    start = threading.Barrier(THREADS)
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda n: _work(store, start, n), range(THREADS)))
    assert [len(r) for r in results] == [ROUNDS] * THREADS
    assert len(list(store.jobs())) == THREADS


@pytest.mark.parametrize("backend", ["ftp"], indirect=True)
def test_a_backend_with_one_connection_per_instance_opens_one_per_thread(
    store: FsspecJobStore,
) -> None:
    """fsspec's FTP holds one connection: each thread gets its own filesystem,
    and the thread that opened the store keeps the first (no second login)."""
    storage = store.storage
    assert storage.fs is storage._fs
    seen: list[object] = []
    worker = threading.Thread(target=lambda: seen.append(storage.fs))
    worker.start()
    worker.join()
    assert seen[0] is not storage._fs
