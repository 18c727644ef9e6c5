"""A read-only look inside any job store, without Toil: :func:`open_view` and :class:`StoreView`.

Nothing here imports Toil or unpickles anything: jobs are read from the plain
fields of their JSON manifests (:mod:`fsjobstore.manifest`), files from the
key tree (:mod:`fsjobstore.layout`).  Tables are pandas DataFrames (install
``fsjobstore[inspect]``); :meth:`StoreView.summary` and :meth:`StoreView.job`
return plain dicts.  Job states follow the rule in :mod:`fsjobstore._view_tables`.

A view lists the store once, on first use, and keeps that snapshot;
:meth:`StoreView.refresh` lists it again.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from fsjobstore import _view_tables as tables
from fsjobstore import layout
from fsjobstore._progress import progress_bar
from fsjobstore._snapshot import Snapshot, take_snapshot
from fsjobstore.errors import InvalidInputError, ObjectNotFoundError, StoreNotFoundError
from fsjobstore.locator import absolute_local, check_inspection_url, without_prefix
from fsjobstore.storage import Storage

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["JobRecord", "StoreView", "inspection_storage", "open_view"]

INSTALL_HINT = "pip install 'fsjobstore[inspect]'"


def inspection_storage(url: str, storage_options: dict[str, Any]) -> Storage:
    """The storage at *url* (or Toil's locator ``fsspec:<url>``), checked as
    ``--jobStore`` is, so that a typo is named rather than found empty."""
    if not isinstance(url, str) or not url.strip():
        raise InvalidInputError(f"store URL must be a non-empty string, got {url!r}")
    url = without_prefix(url)
    if not url.strip():
        raise InvalidInputError("an fsspec locator needs a URL after 'fsspec:'")
    check_inspection_url(url)
    return Storage(absolute_local(url), storage_options)


def open_view(url: str, *, progress: bool | None = None, **storage_options: Any) -> StoreView:
    """A read-only view of the job store at *url*.

    *storage_options* go to fsspec (they may hold credentials and are never
    shown).  *progress* draws a progress bar on stderr while listing; None
    means "only when stderr is a terminal".  Raises
    :class:`~fsjobstore.errors.StoreNotFoundError` when *url* holds nothing.
    """
    storage = inspection_storage(url, storage_options)
    contents = storage.root_contents()
    if contents != "objects":
        missing = None if contents == "file" else storage.missing_bucket_error()
        if missing is not None:
            raise missing
        if contents == "file":
            reason = "it is a file, not a directory or prefix"
        else:
            reason = "the location is empty"
        raise StoreNotFoundError(f"no job store at {storage.url}: {reason}")
    return StoreView(storage, progress=progress)


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(f"fsjobstore's tables need pandas: {INSTALL_HINT}") from None
    return pd.DataFrame(rows, columns=columns)


_JOB_COLUMNS = [
    "job_id", "name", "display_name", "state", "remaining_tries", "memory", "cores", "disk",
    "preemptible", "successors", "predecessors", "owned_files", "owned_bytes", "log_file_id",
    "updated",
]
_FILE_COLUMNS = [
    "file_id", "owner", "basename", "size", "executable", "cleanup", "hinted", "created",
    "modified",
]
_SHARED_COLUMNS = ["shared_name", "size", "modified"]
_LOG_COLUMNS = ["key", "time", "read", "size", "job_names", "succeeded", "messages", "text"]


class StoreView:
    """A read-only view of one job store (see :func:`open_view`)."""

    def __init__(self, storage: Storage, *, progress: bool | None = None) -> None:
        self.storage = storage
        self._progress = progress
        self._snapshot: Snapshot | None = None

    @property
    def url(self) -> str:
        """The store's URL, without credentials."""
        return self.storage.url

    def refresh(self) -> None:
        """Forget the current snapshot: the next call lists the store again."""
        self._snapshot = None

    @property
    def snapshot(self) -> Snapshot:
        """The listing every table is built from (taken on first use)."""
        if self._snapshot is None:
            with progress_bar(self._progress) as report:
                self._snapshot = take_snapshot(self.storage, report)
        return self._snapshot

    # -- tables ------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        """Counts and bytes per category, format version, job states, workflow status."""
        snapshot = self.snapshot
        names = [layout.shared_key(n) for n in tables.STATUS_FILES]
        present = [k for k in names if k in snapshot.objects and k != "shared/config.pickle"]
        shared = dict(self.storage.read_many(present))
        if "shared/config.pickle" in snapshot.objects:
            shared["shared/config.pickle"] = b""  # its presence is enough; never read it
        by_name = {k.split("/", 1)[1]: v for k, v in shared.items()}
        return tables.summary(snapshot, by_name)

    def job_rows(self) -> list[dict[str, Any]]:
        """:meth:`jobs` as a list of dicts (no pandas needed)."""
        return tables.job_rows(self.snapshot)

    def jobs(self) -> pd.DataFrame:
        """One row per job: identity, state, tries, requirements, graph, owned files."""
        return _frame(self.job_rows(), _JOB_COLUMNS)

    def file_rows(self) -> list[dict[str, Any]]:
        """:meth:`files` as a list of dicts."""
        return tables.file_rows(self.snapshot)

    def files(self) -> pd.DataFrame:
        """One row per file: ID, owner job, basename, size, flags, times."""
        return _frame(self.file_rows(), _FILE_COLUMNS)

    def shared_file_rows(self) -> list[dict[str, Any]]:
        """:meth:`shared_files` as a list of dicts."""
        return tables.shared_rows(self.snapshot)

    def shared_files(self) -> pd.DataFrame:
        """One row per shared file (``config.pickle``, ``pid.log``, ...)."""
        return _frame(self.shared_file_rows(), _SHARED_COLUMNS)

    def log_rows(self, *, fresh: bool = False) -> list[dict[str, Any]]:
        """:meth:`logs` as a list of dicts.

        With *fresh*, ``logs/`` and ``logs.read/`` are listed again (two listings,
        not the whole store), for following new messages.
        """
        snapshot = self.snapshot
        if fresh:
            objects = {}
            for top in (layout.LOGS, layout.LOGS_READ):
                objects.update(self.storage.list_detailed(top))
            snapshot = Snapshot(self.url, snapshot.taken, snapshot.marker,
                                snapshot.marker_error, objects)
        keys = [k for k in snapshot.under(layout.LOGS) if not layout.is_temp_name(k)]
        return tables.log_rows(snapshot, self.storage.read_many(sorted(keys)))

    def logs(self) -> pd.DataFrame:
        """One row per log message: time, read or not, size, parsed job names, text."""
        return _frame(self.log_rows(), _LOG_COLUMNS)

    # -- single objects ------------------------------------------------------------

    def job(self, job_id: str) -> JobRecord:
        """The manifest of *job_id* without its payload, plus its ``state``, read fresh.

        Raises :class:`~fsjobstore.errors.ObjectNotFoundError` if there is no such job.
        """
        from fsjobstore import manifest

        key = layout.job_key(job_id)
        try:
            data = self.storage.read_bytes(key)
        except ObjectNotFoundError:
            raise ObjectNotFoundError(f"{self.url}: no job {job_id!r} ({key} is missing)") from None
        document = manifest.decode(data, where=f"{self.url}: {key}", check_ids=True)
        document.pop("payload", None)
        document.pop("payload_encoding", None)
        # Only the successors' manifests matter; without a snapshot, check just those.
        successors = [str(j) for j in document.get("successors") or []]
        if self._snapshot is not None:
            existing = set(tables.existing_jobs(self._snapshot) & set(successors))
        else:
            existing = {j for j in successors if self.storage.exists(layout.job_key(j))}
        document["state"] = tables.job_state(document, existing)
        return JobRecord(document)

    def job_log(self, job_id: str) -> str | None:
        """The log Toil kept for *job_id* after it failed (its ``log_file_id``), or None."""
        file_id = self.job(job_id).get("log_file_id")
        if not isinstance(file_id, str):
            return None
        with self.open(file_id) as stream:
            return stream.read().decode("utf-8", errors="replace")

    @contextlib.contextmanager
    def open(self, file_id: str) -> Iterator[BinaryIO]:
        """A binary stream over the file *file_id* (use it in a ``with`` block).

        *file_id* must be a file ID of this store layout
        (:func:`fsjobstore.layout.parse_file_id`); anything else is refused.
        """
        key = layout.parse_file_id(file_id).key
        with self.storage.open_read(key) as stream:
            yield stream

    # -- display -------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"StoreView({self.url!r})"

    def __str__(self) -> str:
        return _summary_text(self.summary())

    def _repr_html_(self) -> str:
        return _summary_html(self.summary())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        info = self.summary()
        return {"text/plain": _summary_text(info), "text/html": _summary_html(info)}


class JobRecord(dict[str, Any]):
    """A job's manifest fields (a plain dict) that also displays itself in notebooks."""

    def __str__(self) -> str:
        return json.dumps(self, indent=2, default=str)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
            f"<td style='text-align:left'>{html.escape(_short(v))}</td></tr>"
            for k, v in self.items()
        )
        title = html.escape(f"Job {self.get('name')} ({self.get('state')})")
        return f"<table><caption>{title}</caption>{rows}</table>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": str(self), "text/html": self._repr_html_()}


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


def _summary_lines(info: dict[str, Any]) -> list[tuple[str, str]]:
    flow = info["workflow"]
    lines = [
        ("store", info["url"]),
        ("format", f"{info['format']} version {info['format_version']}"
         if info["format"] else f"no valid marker ({info['marker_error'] or 'missing'})"),
        ("workflow", flow["status"]),
        ("root job", flow["root_job_id"] or "-"),  # "-" for missing, as in the tables
        ("jobs remaining", str(flow["jobs_remaining"])),
        ("job states", ", ".join(f"{k} {v}" for k, v in info["job_states"].items())),
    ]
    for category, numbers in info["categories"].items():
        lines.append((category, f"{numbers['count']} objects, {numbers['bytes']} bytes"))
    temps = info["temporary_objects"]
    lines.append(("temporary objects", f"{temps['count']} objects, {temps['bytes']} bytes"))
    return lines


def _summary_text(info: dict[str, Any]) -> str:
    lines = _summary_lines(info)
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in lines)


def _summary_html(info: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
        f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
        for k, v in _summary_lines(info)
    )
    return f"<table><caption>fsjobstore job store</caption>{rows}</table>"
