"""The ``fsjobstore`` command: look inside, check, clean and delete a job store, without Toil.

A thin layer over :mod:`fsjobstore.view` and :mod:`fsjobstore.maintenance`.
Every listing command takes ``--json``; destructive commands need ``--yes`` and
take ``--dry-run``.  Storage options come from repeated ``-o key=value`` (the
value is parsed as JSON when it parses) and are never printed.  Exit status:
0 on success, 1 on an error or when ``verify`` finds problems, 2 on misuse.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import shutil
import sys
import time
from collections.abc import Sequence
from typing import Any

from fsjobstore import __version__, layout
from fsjobstore import _cli_render as render
from fsjobstore._cli_maintenance import cmd_destroy, cmd_gc, cmd_verify
from fsjobstore._redact import looks_secret
from fsjobstore.errors import FsJobStoreError, ObjectNotFoundError

__all__ = ["main"]

_STATES = ("failed", "pending", "waiting", "done", "unreadable")


def _option(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        # Never echo the text: it may be a credential typed without its name.
        raise argparse.ArgumentTypeError("expected KEY=VALUE (the value given is not shown)")
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        if raw.lstrip()[:1] in ("{", "["):  # meant as JSON: kept as a string, it would fail later
            raise argparse.ArgumentTypeError(
                f"the value of {name} is not valid JSON ({exc.msg} at character {exc.pos}; "
                "the value is not shown)") from None
        value = raw
    if isinstance(value, (int, float)) and not isinstance(value, bool) and looks_secret(name):
        value = raw  # a password of digits stays a string (a number would not be one)
    return name, value


_MAX_SECONDS = 10.0**9  # about 30 years; time.sleep overflows not far above


def _seconds(text: str) -> float:
    """A number of seconds, zero or more (``--interval``, ``--min-age``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 <= value < _MAX_SECONDS:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"expected zero or more seconds (less than {_MAX_SECONDS:.0f}), got {text!r}")
    return value


def _positive(text: str) -> int:
    """A whole number, one or more (``--max-polls``, ``--depth``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``fsjobstore`` command."""
    parser = argparse.ArgumentParser(
        prog="fsjobstore", description="Look inside an fsjobstore job store (no Toil needed)."
    )
    parser.add_argument("--version", action="version", version=f"fsjobstore {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("url", help="the store's fsspec URL, e.g. s3://bucket/prefix "
                        "(or Toil's locator, fsspec:s3://bucket/prefix)")
    common.add_argument("-o", "--option", action="append", type=_option, default=[],
                        metavar="KEY=VALUE", help="an fsspec storage option (repeatable)")
    common.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
    listing = argparse.ArgumentParser(add_help=False)
    listing.add_argument("--json", action="store_true", help="print machine-readable JSON")
    destructive = argparse.ArgumentParser(add_help=False)
    destructive.add_argument("--dry-run", action="store_true", help="show, change nothing")
    destructive.add_argument("--yes", action="store_true", help="really delete")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, *parents: argparse.ArgumentParser) -> Any:
        return sub.add_parser(name, help=help_text, description=help_text,
                              parents=[common, *parents])

    command("info", "summary: counts, bytes, format, workflow status", listing)
    jobs = command("jobs", "one line per job", listing)
    jobs.add_argument("--state", choices=_STATES, action="append", help="only these states")
    jobs.add_argument("--name", metavar="GLOB",
                      help="only jobs whose name or display name matches GLOB")
    files = command("files", "one line per file", listing)
    files.add_argument("--owner", metavar="JOB_ID", help="only files owned by this job")
    cat = command("cat", "write a file's content to stdout")
    cat.add_argument("file_id", metavar="FILE_ID")
    logs = command("logs", "log messages sent to the leader", listing)
    logs.add_argument("--unread", action="store_true", help="only messages not yet delivered")
    logs.add_argument("--text", action="store_true", help="print each message's full text")
    logs.add_argument("--follow", action="store_true", help="keep polling for new messages")
    logs.add_argument("--interval", type=_seconds, default=2.0,
                      help="seconds between polls with --follow (default 2)")
    logs.add_argument("--max-polls", type=_positive, default=None, help="stop after N polls")
    command("du", "bytes and objects per category and top-level prefix", listing)
    tree = command("tree", "the key tree, depth-limited", listing)
    tree.add_argument("--depth", type=_positive, default=2, help="levels to show (default 2)")
    command("verify", "check integrity; exit 1 listing each problem", listing)
    gc = command("gc", "remove what verify proves orphaned", destructive)
    gc.add_argument("--min-age", type=_seconds, default=3600.0, metavar="SECONDS",
                    help="only objects older than this (default 3600: spares running work)")
    command("destroy", "delete the whole store (marker last)", destructive)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fsjobstore`` command; the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return int(_COMMANDS[args.command](args))
    except render.MissingExtra as exc:
        print(f"fsjobstore: {exc}", file=sys.stderr)
        return 1
    except (FsJobStoreError, FileNotFoundError) as exc:
        print(f"fsjobstore: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


def cmd_info(args: argparse.Namespace) -> int:
    info = render.open_store_view(args).summary()
    if args.json:
        render.print_json(info)
        return 0
    from fsjobstore.view import _summary_lines

    render.pairs(_summary_lines(info), title="fsjobstore job store")
    return 0


def cmd_jobs(args: argparse.Namespace) -> int:
    rows = render.open_store_view(args).job_rows()
    if args.state:
        rows = [r for r in rows if r["state"] in args.state]
    if args.name:
        rows = [r for r in rows if any(
            r[field] is not None and fnmatch.fnmatchcase(str(r[field]), args.name)
            for field in ("name", "display_name"))]
    if args.json:
        render.print_json(rows)
        return 0
    # Both names: a Python job's is its function's (display name: the wrapper
    # class), a CWL or WDL step's its display name (name: CWLJob, WDLTaskJob...).
    render.table(rows, ["job_id", "name", "display_name", "state", "remaining_tries", "successors",
                        "predecessors", "owned_files", "owned_bytes", "updated"],
                 title=f"{len(rows)} jobs")
    return 0


def cmd_files(args: argparse.Namespace) -> int:
    rows = render.open_store_view(args).file_rows()
    if args.owner:
        rows = [r for r in rows if r["owner"] == args.owner]
    if args.json:
        render.print_json(rows)
        return 0
    render.table(rows, ["file_id", "size", "executable", "cleanup", "hinted", "modified"],
                 title=f"{len(rows)} files")
    return 0


def cmd_cat(args: argparse.Namespace) -> int:
    key = layout.parse_file_id(args.file_id).key
    storage = render.open_storage(args)
    try:
        stream = storage.open_read(key)
    except ObjectNotFoundError:
        missing = storage.missing_bucket_error()  # a mistyped bucket, not a missing file
        if missing is None:
            raise
        raise missing from None
    with stream:
        shutil.copyfileobj(stream, sys.stdout.buffer)
    sys.stdout.flush()
    return 0


def cmd_logs(args: argparse.Namespace) -> int:
    view = render.open_store_view(args)
    watched = args.follow and view.snapshot.marker is not None
    missing = 0  # polls in a row without the marker (fsspec's isfile says False on errors)
    seen: set[str] = set()
    polls = 0
    while True:
        rows = [r for r in view.log_rows(fresh=polls > 0) if r["key"] not in seen]
        if args.unread:
            rows = [r for r in rows if not r["read"]]
        seen.update(r["key"] for r in rows)
        _print_logs(args, rows, first=polls == 0)
        polls += 1
        if not args.follow or (args.max_polls is not None and polls >= args.max_polls):
            return 0
        missing = 0 if not watched or view.storage.exists(layout.MARKER) else missing + 1
        if missing >= 2:
            # Toil deletes a finished workflow's store (--clean onSuccess): no
            # message will come any more.
            print(f"fsjobstore: {view.url}: the store was destroyed; no more messages",
                  file=sys.stderr)
            return 0
        time.sleep(args.interval)


def _print_logs(args: argparse.Namespace, rows: list[dict[str, Any]], *, first: bool) -> None:
    if not args.text:
        rows = [{k: v for k, v in r.items() if k != "text"} for r in rows]
    if args.json:
        if args.follow:
            for row in rows:  # one JSON document per line, as they arrive
                render.print_json(row, compact=True)
        else:
            render.print_json(rows)
        return
    if args.text:
        try:
            heading = render.console()
        except render.MissingExtra:  # plain text needs no rich: the key unstyled
            heading = None
        for row in rows:
            if heading is not None:
                heading.print(row["key"], style="bold", markup=False)
            else:
                print(row["key"], flush=True)
            sys.stdout.write(row["text"].rstrip("\n") + "\n")
        return
    if rows or first:
        shown = [{**r, "first message": (r["messages"] or [""])[0]} for r in rows]
        render.table(shown, ["time", "read", "size", "job_names", "succeeded", "first message"],
                     title=f"{len(rows)} log messages" if first else None)


def cmd_du(args: argparse.Namespace) -> int:
    from fsjobstore._snapshot import CATEGORIES

    view = render.open_store_view(args)
    info = view.summary()
    prefixes: dict[str, dict[str, int]] = {}
    for key in view.snapshot.objects:
        top = key.split("/", 1)[0] if "/" in key else "(root)"
        entry = prefixes.setdefault(top, {"count": 0, "bytes": 0})
        entry["count"] += 1
        entry["bytes"] += view.snapshot.size(key)
    result = {"categories": info["categories"], "temporary_objects": info["temporary_objects"],
              "prefixes": dict(sorted(prefixes.items())),
              "total": {"count": len(view.snapshot.objects),
                        "bytes": sum(p["bytes"] for p in prefixes.values())}}
    if args.json:
        render.print_json(result)
        return 0
    rows = [{"category": c, "prefixes": ", ".join(CATEGORIES[c]), **n}
            for c, n in info["categories"].items()]
    render.table(rows, ["category", "prefixes", "count", "bytes"], title="by category")
    rows = [{"prefix": p, **n} for p, n in result["prefixes"].items()]
    rows.append({"prefix": "total", **result["total"]})
    render.table(rows, ["prefix", "count", "bytes"], title="by top-level prefix")
    return 0


def cmd_tree(args: argparse.Namespace) -> int:
    view = render.open_store_view(args)
    root: dict[str, Any] = {"name": view.url, "objects": 0, "bytes": 0, "children": {}}
    for key in sorted(view.snapshot.objects):
        size = view.snapshot.size(key)
        node = root
        node["objects"] += 1
        node["bytes"] += size
        for part in key.split("/")[: max(args.depth, 0)]:
            node = node["children"].setdefault(
                part, {"name": part, "objects": 0, "bytes": 0, "children": {}}
            )
            node["objects"] += 1
            node["bytes"] += size

    def freeze(node: dict[str, Any]) -> dict[str, Any]:
        # By name: in key order "logs.read/..." would come before "logs/..." ('.' < '/').
        children = [freeze(c) for c in sorted(node["children"].values(),
                                              key=lambda child: child["name"])]
        return {**node, "children": children}

    result = freeze(root)
    if args.json:
        render.print_json(result)
    else:
        render.tree(result)
    return 0


_COMMANDS = {
    "info": cmd_info, "jobs": cmd_jobs, "files": cmd_files, "cat": cmd_cat, "logs": cmd_logs,
    "du": cmd_du, "tree": cmd_tree, "verify": cmd_verify, "gc": cmd_gc, "destroy": cmd_destroy,
}


if __name__ == "__main__":
    sys.exit(main())
