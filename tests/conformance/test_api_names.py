"""The camelCase names of Toil's older documentation still work."""

from __future__ import annotations

import warnings
from pathlib import Path

from toil.fileStores import FileID
from toil.job import JobDescription

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import REQUIREMENTS


def test_camel_case_names(store: FsspecJobStore, tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        job = JobDescription(jobName="camel", requirements=dict(REQUIREMENTS))
        store.assignID(job)
        store.create(job)
        assert store.exists(job.jobStoreID)
        assert store.load(job.jobStoreID).jobName == "camel"
        job.remainingTryCount = 3
        store.update(job)
        assert store.load(job.jobStoreID).remainingTryCount == 3
        assert [j.jobStoreID for j in store.jobs()] == [job.jobStoreID]
        root = JobDescription(jobName="root", requirements=dict(REQUIREMENTS))
        store.assignID(root)
        store.createRootJob(root)
        assert store.loadRootJob().jobStoreID == root.jobStoreID
        store.setRootJob(root.jobStoreID)
        local = tmp_path / "in.txt"
        local.write_text("hello")
        file_id = store.writeFile(str(local), job.jobStoreID, cleanup=True)
        assert store.fileExists(file_id)
        assert store.getFileSize(file_id) == 5
        with store.writeFileStream(job.jobStoreID) as (f, stream_id):
            f.write(b"stream")
        with store.readFileStream(stream_id) as f:
            assert f.read() == b"stream"
        with store.updateFileStream(stream_id) as f:
            f.write(b"again")
        out = tmp_path / "out.txt"
        store.readFile(file_id, str(out))
        assert out.read_text() == "hello"
        store.updateFile(file_id, str(out))
        empty = store.getEmptyFileStoreID(job.jobStoreID)
        assert store.getFileSize(empty) == 0
        with store.writeSharedFileStream("camel.txt") as f:
            f.write(b"shared")
        with store.readSharedFileStream("camel.txt") as f:
            assert f.read() == b"shared"
        store.write_logs("log line")
        assert store.readStatsAndLogging(lambda f: f.read()) == 1
        imported = store.importFile(f"file://{local}")
        assert isinstance(imported, FileID)
        store.exportFile(imported, f"file://{tmp_path / 'exported.txt'}")
        assert (tmp_path / "exported.txt").read_text() == "hello"
        assert FsspecJobStore.getSize(f"file://{local}") == 5
        assert isinstance(store.getEnv(), dict)
        with store.batch():
            batched = JobDescription(jobName="batched", requirements=dict(REQUIREMENTS))
            store.assignID(batched)
            store.create(batched)
        assert store.exists(batched.jobStoreID)
        store.deleteFile(file_id)
        assert not store.fileExists(file_id)
        store.delete(job.jobStoreID)
        assert not store.exists(job.jobStoreID)
