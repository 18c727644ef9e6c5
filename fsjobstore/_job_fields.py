"""The human-readable fields of a job manifest, read off Toil's ``JobDescription``.

Duck-typed on purpose: this module does not import Toil, and a field Toil cannot
give (a requirement with no default, say) is recorded as null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["describe_job"]


def describe_job(job: Any) -> dict[str, Any]:
    """The human-readable fields of a job's manifest."""

    def attempt(getter: Callable[[], Any]) -> Any:
        try:
            return getter()
        except Exception:
            return None

    requirements: dict[str, Any] = {}
    for name in ("memory", "cores", "disk", "preemptible"):
        requirements[name] = attempt(lambda name=name: getattr(job, name))  # type: ignore[misc]
    requirements["accelerators"] = attempt(lambda: [dict(a) for a in job.accelerators]) or []
    body = attempt(job.get_body) if job.has_body() else None
    return {
        "job_id": str(job.jobStoreID),
        "name": job.jobName,
        "display_name": job.displayName,
        "unit_name": job.unitName,
        "command": body[1].name if body else None,
        "has_body": job.has_body(),
        "requirements": requirements,
        "remaining_try_count": attempt(lambda: job.remainingTryCount),
        "version": attempt(lambda: job._job_version),
        "successors": [str(s) for s in attempt(lambda: list(job.allSuccessors())) or []],
        "predecessor_count": attempt(lambda: job.predecessorNumber) or 0,
        "services": [str(s) for s in attempt(lambda: list(job.services)) or []],
        "files_to_delete": [str(f) for f in attempt(lambda: list(job.filesToDelete)) or []],
        "log_file_id": attempt(lambda: job.logJobStoreFileID),
        "checkpoint": attempt(lambda: job.checkpoint) is not None,
        "kind": type(job).__name__,
    }
