"""Helpers shared by conformance tests; they look at storage directly, bypassing the store."""

from __future__ import annotations

from toil.job import JobDescription

from fsjobstore import layout
from fsjobstore.jobstore import FsspecJobStore

REQUIREMENTS = {"memory": 1, "cores": 1, "disk": 1, "preemptible": False}


def new_job(store: FsspecJobStore, name: str = "job") -> JobDescription:
    job = JobDescription(jobName=name, requirements=dict(REQUIREMENTS))
    store.assign_job_id(job)
    store.create_job(job)
    return job


def all_keys(store: FsspecJobStore) -> list[str]:
    return sorted(store.storage.list_keys_at_root())


def temp_keys(store: FsspecJobStore) -> list[str]:
    return [k for k in all_keys(store) if layout.is_temp_name(k)]
