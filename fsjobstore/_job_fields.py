"""The human-readable fields of a job manifest, read off Toil's ``JobDescription``.

Duck-typed on purpose: this module does not import Toil, and a field Toil cannot
give (a requirement with no default, say) is recorded as null.  It runs on every
job write, so each field is read directly, with the fallback only on failure.
"""

from __future__ import annotations

from typing import Any

__all__ = ["describe_job"]

_REQUIREMENTS = ("memory", "cores", "disk", "preemptible")


def describe_job(job: Any) -> dict[str, Any]:
    """The human-readable fields of a job's manifest."""
    requirements: dict[str, Any] = {}
    for name in _REQUIREMENTS:
        try:
            requirements[name] = getattr(job, name)
        except Exception:
            requirements[name] = None
    try:
        requirements["accelerators"] = [dict(a) for a in job.accelerators]
    except Exception:
        requirements["accelerators"] = []
    has_body = job.has_body()
    command = None
    if has_body:
        try:
            command = job.get_body()[1].name
        except Exception:
            command = None
    return {
        "job_id": str(job.jobStoreID),
        "name": job.jobName,
        "display_name": job.displayName,
        "unit_name": job.unitName,
        "command": command,
        "has_body": has_body,
        "requirements": requirements,
        "remaining_try_count": _get(job, "remainingTryCount"),
        "version": _get(job, "_job_version"),
        "successors": _strings(job, "allSuccessors", call=True),
        "predecessor_count": _get(job, "predecessorNumber") or 0,
        "services": _strings(job, "services"),
        "files_to_delete": _strings(job, "filesToDelete"),
        "log_file_id": _get(job, "logJobStoreFileID"),
        # A service host's flag files, which Toil deletes when the service ends
        # while its description may stay: not missing files (fsjobstore verify).
        "service_flags": [str(flag) for flag in (
            _get(job, "startJobStoreID"), _get(job, "terminateJobStoreID"),
            _get(job, "errorJobStoreID")) if flag],
        "checkpoint": _get(job, "checkpoint") is not None,
        "kind": type(job).__name__,
    }


def _get(job: Any, name: str) -> Any:
    try:
        return getattr(job, name, None)  # a missing attribute is None, without raising
    except Exception:
        return None


def _strings(job: Any, name: str, *, call: bool = False) -> list[str]:
    try:
        value = getattr(job, name)
        return [str(item) for item in (value() if call else value)]
    except Exception:
        return []
