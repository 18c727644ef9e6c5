"""The rows behind every table of the inspection API and the CLI, as plain dicts.

Each function turns a :class:`~fsjobstore._snapshot.Snapshot` into a list of
JSON-friendly rows (datetimes aside); :mod:`fsjobstore.view` makes DataFrames of
them and :mod:`fsjobstore.cli` prints them.  No pandas, no rich, no Toil.

Job states, derived from the manifest alone (the store does not record whether
a job is running right now)::

    failed    remaining_try_count == 0: Toil gave up on the job
    pending   has a body and tries left: queued, running, or waiting for its
              predecessors; the store cannot tell which
    waiting   no body left, and at least one successor whose manifest still exists
    done      no body and no remaining successor: finished, awaiting deletion
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from fsjobstore import layout
from fsjobstore._snapshot import (
    CATEGORIES,
    CREATED_FIELDS,
    MODIFIED_FIELDS,
    Snapshot,
    listing_time,
)
from fsjobstore.errors import InvalidInputError

__all__ = [
    "JOB_STATES",
    "existing_jobs",
    "file_rows",
    "job_rows",
    "job_state",
    "log_rows",
    "shared_rows",
    "summary",
]

JOB_STATES = ("failed", "pending", "waiting", "done")
_LOG_NAME = re.compile(r"^(\d{8}T\d{6}\d{0,6})Z-[0-9a-f]{32}\.log\Z")
#: Shared files Toil writes, read (never unpickled) to tell the workflow's status.
STATUS_FILES = (
    "pid.log",
    "leader_node_id.log",
    "_toil_kill_flag",
    "rootJobStoreID",
    "succeeded.log",
    "failed.log",
    "rootJobReturnValue",
    "config.pickle",
)


def job_state(document: dict[str, Any], existing_jobs: set[str] | frozenset[str]) -> str:
    """The state of one job (see the module docstring for the rule)."""
    tries = document.get("remaining_try_count")
    if tries == 0:
        return "failed"
    if document.get("has_body"):
        return "pending"
    if any(str(s) in existing_jobs for s in document.get("successors") or []):
        return "waiting"
    return "done"


def existing_jobs(snapshot: Snapshot) -> frozenset[str]:
    """The IDs of the jobs whose manifests exist, readable or not."""
    unreadable = (layout.job_id_from_key(key) for key in snapshot.corrupt)
    return frozenset(snapshot.manifests).union(j for j in unreadable if j)


def _owned_usage(snapshot: Snapshot) -> dict[str, tuple[int, int]]:
    usage: dict[str, tuple[int, int]] = {}
    for key, info in snapshot.under(layout.OWNED).items():
        if layout.is_temp_name(key):
            continue
        owner = key.split("/", 2)[1]
        count, size = usage.get(owner, (0, 0))
        usage[owner] = (count + 1, size + int(info.get("size") or 0))
    return usage


def job_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    """One row per job manifest, unreadable manifests included (state ``unreadable``)."""
    existing = existing_jobs(snapshot)
    usage = _owned_usage(snapshot)
    rows: list[dict[str, Any]] = []
    for job_id, doc in sorted(snapshot.manifests.items()):
        requirements = doc.get("requirements") or {}
        count, size = usage.get(job_id, (0, 0))
        rows.append(
            {
                "job_id": job_id,
                "name": doc.get("name"),
                "display_name": doc.get("display_name"),
                "state": job_state(doc, existing),
                "remaining_tries": doc.get("remaining_try_count"),
                "memory": requirements.get("memory"),
                "cores": requirements.get("cores"),
                "disk": requirements.get("disk"),
                "preemptible": requirements.get("preemptible"),
                "successors": sum(1 for s in doc.get("successors") or [] if s in existing),
                "predecessors": doc.get("predecessor_count"),
                "owned_files": count,
                "owned_bytes": size,
                "log_file_id": doc.get("log_file_id"),
                "updated": _parse_time(doc.get("updated")),
            }
        )
    for key, reason in sorted(snapshot.corrupt.items()):
        corrupt_id = layout.job_id_from_key(key)
        # The listing still tells what the job owns.
        count, size = usage.get(corrupt_id, (0, 0)) if corrupt_id else (0, 0)
        rows.append(
            {"job_id": corrupt_id, "name": None, "display_name": None,
             "state": "unreadable", "remaining_tries": None, "memory": None, "cores": None,
             "disk": None, "preemptible": None, "successors": 0, "predecessors": None,
             "owned_files": count, "owned_bytes": size, "log_file_id": None,
             # The listing's time: when the manifest was last written.
             "updated": listing_time(snapshot.objects.get(key, {}), *MODIFIED_FIELDS),
             "error": reason}
        )
    return rows


def file_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    """One row per stored file (owned, unowned and hinted); temporaries excluded."""
    rows: list[dict[str, Any]] = []
    for key, info in sorted(snapshot.objects.items()):
        if layout.is_temp_name(key):
            continue
        try:
            parsed = layout.parse_file_id(key)
        except InvalidInputError:
            continue  # not a file (a manifest, a log, a hint-tree tombstone, ...)
        rows.append(
            {
                "file_id": key,
                "owner": parsed.owner,
                "basename": key.rsplit("/", 1)[-1],
                "size": int(info.get("size") or 0),
                "executable": parsed.executable,
                "cleanup": parsed.owner is not None,
                "hinted": parsed.hinted,
                "created": listing_time(info, *CREATED_FIELDS),
                "modified": listing_time(info, *MODIFIED_FIELDS),
            }
        )
    return rows


def shared_rows(snapshot: Snapshot) -> list[dict[str, Any]]:
    """One row per shared file."""
    return [
        {
            "shared_name": key.split("/", 1)[1],
            "size": int(info.get("size") or 0),
            "modified": listing_time(info, *MODIFIED_FIELDS),
        }
        for key, info in sorted(snapshot.under(layout.SHARED).items())
        if not layout.is_temp_name(key)
    ]


def log_time(name: str) -> datetime | None:
    """The write time encoded in a log message's name (``<stamp>-<uuid>.log``)."""
    match = _LOG_NAME.match(name)
    if not match:
        return None
    stamp = match.group(1)
    try:
        return datetime.strptime(stamp, "%Y%m%dT%H%M%S%f").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def parse_log(text: str) -> dict[str, Any]:
    """What can be read from a worker's stats/logging message without Toil.

    Toil's workers send JSON: ``jobs`` (one entry per job run, with
    ``class_name`` and ``succeeded``) and ``workers.logs_to_leader`` (messages
    the jobs logged to the leader).  Anything else gives empty fields.
    """
    try:
        document = json.loads(text)
    except ValueError:
        return {"job_names": [], "succeeded": None, "messages": []}
    if not isinstance(document, dict):
        return {"job_names": [], "succeeded": None, "messages": []}
    jobs = [j for j in document.get("jobs") or [] if isinstance(j, dict)]
    names = [_job_name(str(j.get("class_name", ""))) for j in jobs]
    flags = [str(j.get("succeeded")) == "True" for j in jobs if "succeeded" in j]
    workers = document.get("workers") if isinstance(document.get("workers"), dict) else {}
    messages = [
        str(m.get("text")) for m in (workers or {}).get("logs_to_leader") or []
        if isinstance(m, dict)
    ]
    return {"job_names": names, "succeeded": all(flags) if flags else None, "messages": messages}


def _job_name(name: str) -> str:
    """A job's name in a worker's message, without its module (``fanout.combine``
    is ``combine``); one with a space is a class and a display name (``CWLJob
    wf.cwl.0.make.cwl``), kept whole: its dots are the step's."""
    return name if " " in name else name.rsplit(".", 1)[-1]


def log_rows(snapshot: Snapshot, texts: dict[str, bytes | None]) -> list[dict[str, Any]]:
    """One row per log message; *texts* holds the messages' contents by key."""
    read = {k.rsplit("/", 1)[-1] for k in snapshot.under(layout.LOGS_READ)}
    rows: list[dict[str, Any]] = []
    for key, info in sorted(snapshot.under(layout.LOGS).items()):
        if layout.is_temp_name(key):
            continue
        name = key.rsplit("/", 1)[-1]
        data = texts.get(key)
        text = data.decode("utf-8", errors="replace") if data is not None else ""
        rows.append(
            {
                "key": key,
                "time": log_time(name),
                "read": name in read,
                "size": int(info.get("size") or 0),
                **parse_log(text),
                "text": text,
            }
        )
    return rows


def workflow_status(
    shared: dict[str, bytes | None], jobs_remaining: int,
    written: Mapping[str, datetime | None] | None = None,
) -> dict[str, Any]:
    """What the shared files Toil writes say about the workflow, and what they cannot.

    *written*: when each shared file was written, from the listing.  Toil never
    removes an earlier leader's ``failed.log``, so a restart whose ``pid.log`` is
    newer than it is running (or was interrupted), not failed.
    """

    def text(name: str) -> str | None:
        data = shared.get(name)
        return data.decode("utf-8", errors="replace").strip() if data is not None else None

    kill = text("_toil_kill_flag")
    ended = _last_end(shared, written or {})
    if ended is not None:
        status = ended
    elif kill == "YES":
        status = "kill requested"
    elif text("pid.log") is not None:
        status = "running or interrupted"
    elif text("config.pickle") is not None:
        status = "not started"
    else:
        status = "empty"
    return {
        "status": status,
        "root_job_id": text("rootJobStoreID"),
        "leader_pid": text("pid.log"),
        "leader_node_id": text("leader_node_id.log"),
        "kill_requested": kill == "YES",
        "has_return_value": shared.get("rootJobReturnValue") is not None,
        "jobs_remaining": jobs_remaining,
        "note": (
            "A leader writes pid.log when it starts and succeeded.log or failed.log "
            "when it ends. Whether that leader process is still alive cannot be "
            "known from the store: the PID belongs to the leader's host."
        ),
    }


def _last_end(shared: Mapping[str, bytes | None],
              written: Mapping[str, datetime | None]) -> str | None:
    """"succeeded" or "failed" if the last leader ended so, else None.

    A workflow that succeeded stays so: its root job is gone, and a ``--restart``
    then only writes ``pid.log`` and reruns the exports ("already completed"),
    so ``succeeded.log`` wins whatever came after, as in ``toil status``.
    """
    if shared.get("succeeded.log") is not None:
        return "succeeded"
    if shared.get("failed.log") is None:
        return None
    started, ended = written.get("pid.log"), written.get("failed.log")
    if started is None or ended is None:
        return "failed"  # without times: as Toil's `toil status` reads it
    # A leader writes its end after its start (the same second, where times are
    # whole seconds); a later start is a restart.
    return "failed" if ended >= started else None


def summary(snapshot: Snapshot, shared: dict[str, bytes | None]) -> dict[str, Any]:
    """Counts and bytes per category, the marker, job states and the workflow status."""
    categories: dict[str, dict[str, int]] = {}
    for category, tops in CATEGORIES.items():
        keys = [
            k for k in snapshot.objects
            if k.split("/", 1)[0] in tops and "/" in k and not layout.is_temp_name(k)
        ]
        categories[category] = {
            "count": len(keys),
            "bytes": sum(snapshot.size(k) for k in keys),
        }
    files = file_rows(snapshot)  # hint-tree tombstones and placeholders are not files
    categories["files"] = {"count": len(files), "bytes": sum(r["size"] for r in files)}
    existing = existing_jobs(snapshot)
    states = dict.fromkeys(JOB_STATES, 0)
    for doc in snapshot.manifests.values():
        states[job_state(doc, existing)] += 1
    if snapshot.corrupt:
        states["unreadable"] = len(snapshot.corrupt)
    temps = snapshot.temp_keys()
    marker = snapshot.marker or {}
    return {
        "url": snapshot.url,
        "format": marker.get("format"),
        "format_version": marker.get("version"),
        "created": marker.get("created"),
        "marker_error": snapshot.marker_error,
        "categories": categories,
        "job_states": states,
        "temporary_objects": {"count": len(temps), "bytes": sum(snapshot.size(k) for k in temps)},
        "workflow": workflow_status(
            shared, len(snapshot.manifests) + len(snapshot.corrupt),
            {name: listing_time(snapshot.objects.get(layout.shared_key(name), {}),
                                *MODIFIED_FIELDS) for name in shared},
        ),
        "taken": snapshot.taken,
    }


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
