"""The four job stores under test, made fresh and initialised on demand."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "BUCKET", "StoreKind", "discard", "fresh_config", "make_job", "open_store", "store_kinds",
]

#: The bucket every fsjobstore S3 store lives in (one prefix per store).
BUCKET = "fsjobstore-bench"


@dataclass(frozen=True)
class StoreKind:
    """One job-store implementation on one backend."""

    impl: str  # "fsjobstore" or "toil"
    backend: str  # "local" or "s3"

    @property
    def label(self) -> str:
        toil_name = {"local": "FileJobStore", "s3": "AWSJobStore"}[self.backend]
        return f"fsjobstore/{self.backend}" if self.impl == "fsjobstore" else f"Toil {toil_name}"

    def locator(self, workdir: Path, endpoint: str | None) -> str:
        """A fresh Toil ``--jobStore`` locator for this kind."""
        name = f"bench-{uuid.uuid4().hex[:12]}"
        if self.backend == "local":
            path = workdir / "stores" / name
            return f"fsspec:{path.as_uri()}" if self.impl == "fsjobstore" else f"file:{path}"
        if self.impl == "fsjobstore":
            return f"fsspec:s3://{BUCKET}/{name}"
        return f"aws:us-east-1:{name}"


def store_kinds(backends: list[str]) -> list[StoreKind]:
    return [StoreKind(impl, b) for b in backends for impl in ("fsjobstore", "toil")]


def fresh_config(locator: str) -> Any:
    from toil.common import Config
    from toil.job import Job

    options = Job.Runner.getDefaultOptions(locator)
    config = Config()
    config.setOptions(options)
    return config


def open_store(kind: StoreKind, workdir: Path, endpoint: str | None) -> Any:
    """A new, initialised job store of *kind* (its own directory, prefix or bucket)."""
    locator = kind.locator(workdir, endpoint)
    if kind.impl == "fsjobstore":
        from fsjobstore.jobstore import FsspecJobStore

        options: dict[str, Any] = {}
        if kind.backend == "s3":
            options = {"endpoint_url": endpoint, "key": "testing", "secret": "testing"}
        store: Any = FsspecJobStore(locator, **options)
    elif kind.backend == "local":
        from toil.jobStores.fileJobStore import FileJobStore

        store = FileJobStore(locator[len("file:"):])
    else:
        from toil.jobStores.aws.jobStore import AWSJobStore

        store = AWSJobStore(locator[len("aws:"):])
    store.initialize(fresh_config(locator))
    return store


def discard(store: Any) -> None:
    """Destroy *store*, whatever state a failed run left it in."""
    try:
        store.destroy()
    except Exception:
        path = getattr(store, "jobStoreDir", None)
        if path and os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)


def make_job(store: Any, name: str = "bench", *, assign: bool = True) -> Any:
    """A new JobDescription with an ID assigned by *store* (not yet created).

    Its config is the store's, as Toil assigns one to every job it saves (so
    requirement defaults and the try count resolve); with ``assign=False`` the job
    has no ID yet.
    """
    from toil.job import JobDescription

    job = JobDescription(
        requirements={"memory": 2**20, "cores": 1, "disk": 2**20, "preemptible": True},
        jobName=name,
        unitName="unit",
    )
    job.assignConfig(store.config)
    if assign:
        store.assign_job_id(job)
    return job
