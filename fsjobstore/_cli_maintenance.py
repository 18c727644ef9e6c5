"""The ``fsjobstore`` commands that check and change a store: ``verify``, ``gc``, ``destroy``."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from typing import Any

from fsjobstore import _cli_render as render
from fsjobstore.layout import MARKER

__all__ = ["cmd_destroy", "cmd_gc", "cmd_verify"]


def cmd_verify(args: argparse.Namespace) -> int:
    from fsjobstore.maintenance import verify

    view = render.open_store_view(args)
    problems = verify(view.storage, view.snapshot)
    if args.json:
        render.print_json({"ok": not problems, "problems": [p.as_dict() for p in problems]})
    elif problems:
        for problem in problems:
            print(problem)
        print(f"{render.plural(len(problems), 'problem')} in {view.url}", file=sys.stderr)
    else:
        print(f"OK: {view.url} has no problems")
    return 1 if problems else 0


def _confirm(args: argparse.Namespace, what: str) -> bool:
    if args.dry_run or args.yes:
        return True
    print(f"fsjobstore: refusing to {what} without --yes (or see with --dry-run)",
          file=sys.stderr)
    return False


def cmd_gc(args: argparse.Namespace) -> int:
    from fsjobstore.maintenance import collect_garbage, verify

    if not _confirm(args, "remove orphans"):
        return 2
    view = render.open_store_view(args)
    problems = verify(view.storage, view.snapshot)
    chosen = collect_garbage(view.storage, problems, dry_run=args.dry_run,
                             min_age=timedelta(seconds=args.min_age))
    verb = "would remove" if args.dry_run else "removed"
    for problem in chosen:
        print(f"{verb}\t{problem.kind}\t{problem.key}")
    chosen_ids = {id(p) for p in chosen}
    kept = [p for p in problems if p.removable and id(p) not in chosen_ids]
    unknown = sum(1 for p in kept if p.modified is None)
    younger = len(kept) - unknown
    spared = f"; {younger} younger than --min-age {args.min_age:g}s left alone" if younger else ""
    if unknown:
        spared += (f"; {unknown} of unknown age (the listing has no time) left alone: "
                   "--min-age 0 removes them")
    print(f"{verb} {render.plural(len(chosen), 'orphan')}{spared}", file=sys.stderr)
    return 0


def _print_uploads_to_abort(storage: Any) -> None:
    """What a destroy would abort besides the objects: the store's unfinished uploads."""
    from fsjobstore.errors import BackendError
    from fsjobstore.maintenance import store_uploads

    try:
        uploads = store_uploads(storage)
    except BackendError as exc:
        print(f"fsjobstore: warning: {exc}; cannot tell which uploads would be aborted",
              file=sys.stderr)
        return
    for upload in uploads:
        print(f"would abort\t{upload.key}\t{upload.upload_id}")


def cmd_destroy(args: argparse.Namespace) -> int:
    from fsjobstore.maintenance import destroy_store

    if not _confirm(args, "destroy the store"):
        return 2
    storage = render.open_storage(args)
    aborted: list[Any] = []
    keys = destroy_store(storage, dry_run=args.dry_run, aborted=aborted)
    if not keys:
        if storage.any_object():
            # No marker and nothing of a store's: destroyed before, or a mistyped
            # prefix.  The end state asked for holds (no store there), as with
            # `toil clean` of a store that does not exist; say so.
            print(f"fsjobstore: no job store at {storage.url} (no {MARKER} and none of a "
                  "store's objects): nothing deleted; the objects there are not the store's "
                  "and were left alone", file=sys.stderr)
            return 0
        missing = storage.missing_bucket_error()
        if missing is not None:  # a mistyped bucket must not look like a destroyed store
            print(f"fsjobstore: error: {missing}", file=sys.stderr)
            return 1
    if args.dry_run:
        for key in keys:
            print(f"would delete\t{key}")
        _print_uploads_to_abort(storage)
    uploads = f" and aborted {render.plural(len(aborted), 'unfinished upload')}" if aborted else ""
    print(f"{'would delete' if args.dry_run else 'deleted'} {render.plural(len(keys), 'object')}"
          f"{uploads} from {storage.url}", file=sys.stderr)
    return 0
