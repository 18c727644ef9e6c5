"""A leader and workers still running when their store is destroyed (``toil clean``
of a running workflow) write after: ``destroy`` removes what they write where it
can tell the prefix was a store (a log message, a job manifest of fsjobstore's),
and refuses any other object without a marker."""

from __future__ import annotations

import os

import pytest
from toil.common import Config

from fsjobstore.errors import NotAJobStoreError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import all_keys, new_job
from tests.servers import Backend

on_some = pytest.mark.parametrize("backend", ["file", "s3", "ftp"], indirect=True)


@on_some
def test_the_last_log_message_of_a_destroyed_store_can_be_removed(backend: Backend) -> None:
    url = backend.new_url()
    leader = FsspecJobStore(url, **backend.storage_options)
    leader.initialize(Config())
    FsspecJobStore(url, **backend.storage_options).destroy()  # toil clean, meanwhile
    leader.write_logs('{"total_time": 12.5, "total_clock": 3.1}')  # the leader's last
    (left,) = leader.storage.list_keys_at_root()
    assert left.startswith("logs/")
    FsspecJobStore(url, **backend.storage_options).destroy()  # toil clean again
    assert leader.storage.list_keys_at_root() == []


@pytest.mark.parametrize("backend", ["memory", "file", "s3", "az", "gs", "sftp", "ftp"],
                         indirect=True)
def test_what_running_jobs_write_after_a_destroy_can_be_removed(
    backend: Backend, tmp_path: os.PathLike[str]
) -> None:
    url = backend.new_url()
    leader = FsspecJobStore(url, **backend.storage_options)
    leader.initialize(Config())
    job = new_job(leader, "still-running")
    FsspecJobStore(url, **backend.storage_options).destroy()
    local = os.path.join(tmp_path, "out.txt")
    with open(local, "wb") as f:
        f.write(b"written late")
    leader.update_job(job)
    leader.write_file(local, job.jobStoreID, cleanup=True)
    leader.write_file(local)
    leader.write_file(local, hints=["wf", "task"])  # as Toil's CWL and WDL runners do
    with leader.write_shared_file_stream("failed.log"):
        pass  # Toil's leader: the run's end
    assert len(all_keys(leader)) == 5  # no log message: the job's manifest is the proof
    FsspecJobStore(url, **backend.storage_options).destroy()
    assert all_keys(leader) == []


@pytest.mark.parametrize("key", [
    "logs/app.log",
    "jobs/report.json",  # no job ID fsjobstore makes
    "jobs/job-0123456789abcdef0123456789ABCDEF.json",
    "files/data.csv",
    "files/0123456789abcdef0123456789abcdef/a/b",
    "owned/job-1/not-a-uuid/out.txt",
    "shared/config.pickle",
    "shared/notes.log",
])
@pytest.mark.parametrize("backend", ["file", "s3"], indirect=True)
def test_other_objects_without_a_marker_are_left_alone(backend: Backend, key: str) -> None:
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    store.storage.write_bytes(key, b"not a job store's")
    store.storage.write_bytes("logs/20261129T221500123456Z-" + "0" * 32 + ".log", b"")
    with pytest.raises(NotAJobStoreError, match=r"holds objects but no fsjobstore\.json"):
        store.destroy()
    assert key in store.storage.list_keys_at_root()


@pytest.mark.parametrize("backend", ["memory", "file", "s3", "az", "gs", "sftp", "ftp"],
                         indirect=True)
def test_look_alikes_without_proof_of_a_store_are_left_alone(backend: Backend) -> None:
    """Named as late writes are, but no log message or manifest of a store's."""
    md5 = "9e107d9d372bb6826bd81d3542a419d6"
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    keys = ["shared/failed.log", "shared/succeeded.log", f"files/{md5}/report.pdf",
            f"jobs/nightly-{md5}.json"]
    for key in keys:
        store.storage.write_bytes(key, b'{"job_id": "nightly-%s"}' % md5.encode())
    with pytest.raises(NotAJobStoreError, match=r"no fsjobstore\.json marker.*by hand"):
        store.destroy()
    assert sorted(store.storage.list_keys_at_root()) == sorted(keys)


@pytest.mark.parametrize("keys", [
    [".tmp-upload-partial"],
    ["shared/.tmp-notes.txt", "files/cache/.tmp-123"],
], ids=["root", "nested"])
@pytest.mark.parametrize("backend", ["file", "s3"], indirect=True)
def test_temporaries_not_named_as_a_store_names_them_are_left_alone(
    backend: Backend, keys: list[str]
) -> None:
    """A store's are ``.tmp-<32 hex digits>-<name>``; any ``.tmp-`` name is not proof."""
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    for key in keys:
        store.storage.write_bytes(key, b"someone's")
    with pytest.raises(NotAJobStoreError, match=r"no fsjobstore\.json marker"):
        store.destroy()
    assert sorted(store.storage.list_keys_at_root()) == sorted(keys)
