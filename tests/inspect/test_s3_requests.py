"""Listing a large store on S3 costs a bounded number of requests (counted, never timed)."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import pytest

from fsjobstore import layout, manifest
from fsjobstore.marker import make_marker
from fsjobstore.storage import Storage
from fsjobstore.view import open_view
from tests.servers import Backend

#: Override with FSJOBSTORE_S3_LIST_JOBS for a quicker local run.
JOBS = int(os.environ.get("FSJOBSTORE_S3_LIST_JOBS", "10000"))
PAGE = 1000  # S3 returns at most 1,000 keys per LIST page


def _fields(job_id: str) -> dict[str, Any]:
    return {
        "job_id": job_id, "name": "job", "display_name": "job", "unit_name": None,
        "command": "module", "has_body": True,
        "requirements": {"memory": 1, "cores": 1, "disk": 1, "preemptible": False,
                         "accelerators": []},
        "remaining_try_count": 1, "version": 1, "successors": [], "predecessor_count": 0,
        "services": [], "files_to_delete": [], "log_file_id": None, "checkpoint": False,
        "kind": "JobDescription",
    }


@pytest.mark.slow
def test_listing_10000_jobs_on_s3(s3_backend: Backend) -> None:
    url = s3_backend.new_url()
    storage = Storage(url, s3_backend.storage_options)
    storage.write_bytes(layout.MARKER, make_marker())
    items = {}
    for n in range(JOBS):
        job_id = f"job-{n:05d}"
        items[layout.job_key(job_id)] = manifest.encode(_fields(job_id), b"never unpickled")
    storage.write_many(items)

    view = open_view(url, progress=False, **s3_backend.storage_options)
    calls: Counter[str] = Counter()

    def count(model: Any, **kwargs: Any) -> None:
        calls[model.name] += 1

    view.storage.fs.s3.meta.events.register("before-call.s3", count)
    jobs = view.jobs()

    assert len(jobs) == JOBS and set(jobs.state) == {"pending"}
    # Every manifest is one GET (no HEAD before it), plus one for the marker.
    assert calls["GetObject"] == JOBS + 1
    assert calls["HeadObject"] == 0
    # One LIST of the root, then one paginated LIST of each prefix present (jobs only).
    lists = calls["ListObjectsV2"] + calls["ListObjects"]
    assert lists == 1 + (JOBS + PAGE - 1) // PAGE, dict(calls)
    assert set(calls) <= {"GetObject", "ListObjectsV2", "ListObjects"}, dict(calls)
