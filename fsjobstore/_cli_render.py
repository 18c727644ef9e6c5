"""How the ``fsjobstore`` command opens stores and prints (rich tables, or JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fsjobstore.layout import MARKER

__all__ = [
    "INSTALL_HINT",
    "MissingExtra",
    "console",
    "open_storage",
    "open_store_view",
    "print_json",
    "table",
    "tree",
]

INSTALL_HINT = "pip install 'fsjobstore[inspect]'"


class MissingExtra(Exception):
    """An optional dependency of the human output is not installed."""


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(value, default=_default, indent=2)


def print_json(value: Any, *, compact: bool = False) -> None:
    """Print *value* as JSON on stdout (datetimes in ISO 8601)."""
    if compact:
        sys.stdout.write(json.dumps(value, default=_default) + "\n")
    else:
        sys.stdout.write(to_json(value) + "\n")
    sys.stdout.flush()


def console() -> Any:
    """A rich console on stdout, or :class:`MissingExtra` naming the install command."""
    try:
        from rich.console import Console
    except ImportError:
        raise MissingExtra(
            f"the fsjobstore command's tables need 'rich': {INSTALL_HINT} "
            "(or use --json)"
        ) from None
    import os

    # Piped output is not cut to 80 columns unless COLUMNS asks for it: a line
    # is as long as its table, so grep and awk see whole IDs.
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, soft_wrap=False, width=_PIPED_WIDTH if wide else None)


#: The width of piped output: wider than any row (rich sizes a table to its content).
_PIPED_WIDTH = 100_000


def cell(value: Any) -> Any:
    """*value* as a rich table cell: text shown as it is (a ``[red]`` or ``[/x]``
    in a log message or a path is not markup)."""
    from rich.text import Text

    return Text(_cell_text(value))


def _cell_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def table(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str | None = None
) -> None:
    """Print *rows* as a rich table of *columns*."""
    out = console()
    from rich.table import Table

    shown = Table(title=title, show_lines=False)
    for column in columns:
        numeric = bool(rows) and isinstance(rows[0].get(column), (int, float)) and not isinstance(
            rows[0].get(column), bool
        )
        shown.add_column(column, justify="right" if numeric else "left", overflow="fold")
    for row in rows:
        shown.add_row(*(cell(row.get(c)) for c in columns))
    out.print(shown)


def pairs(items: Sequence[tuple[str, Any]], *, title: str | None = None) -> None:
    """Print name/value pairs as a two-column rich table."""
    out = console()
    from rich.table import Table
    from rich.text import Text

    shown = Table(title=title, show_header=False)
    shown.add_column("name", style="bold")
    shown.add_column("value", overflow="fold")
    for name, value in items:
        shown.add_row(Text(name), cell(value))
    out.print(shown)


def tree(node: dict[str, Any]) -> None:
    """Print a key tree (nested ``name``/``objects``/``bytes``/``children``) with rich."""
    out = console()
    from rich.text import Text
    from rich.tree import Tree

    def label(n: dict[str, Any]) -> Text:
        return Text.assemble(n["name"], "  ", (
            f"{plural(n['objects'], 'object')}, {plural(n['bytes'], 'byte')}", "dim"))

    def add(parent: Any, n: dict[str, Any]) -> None:
        for child in n.get("children", []):
            add(parent.add(label(child)), child)

    root = Tree(label(node))
    add(root, node)
    out.print(root)


def plural(count: int, noun: str) -> str:
    """``1 orphan``, ``2 orphans``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def open_store_view(args: argparse.Namespace) -> Any:
    """The :class:`~fsjobstore.view.StoreView` the command line names."""
    from fsjobstore.view import open_view

    progress = False if args.no_progress else None
    view = open_view(args.url, progress=progress, **dict(args.option))
    snapshot = view.snapshot
    if snapshot.marker is None:
        # Objects, but no marker: a mistyped prefix shows as an empty store otherwise.
        why = (snapshot.marker_error or f"it has no {MARKER}").removeprefix(f"{view.url}: ")
        if "shared/config.pickle" in snapshot.objects and snapshot.marker_error is None:
            why += (": it holds shared/config.pickle, as a directory store Toil makes "
                    "itself (--jobStore /path or file:/path) does, which fsjobstore "
                    "does not read")
        print(f"fsjobstore: warning: {view.url} may not be a job store: {why} (only a "
              "store's own prefixes, jobs/, files/ and the like, and objects at its top "
              "are listed)", file=sys.stderr)
    return view


def open_storage(args: argparse.Namespace) -> Any:
    """The :class:`~fsjobstore.storage.Storage` the command line names."""
    from fsjobstore.view import inspection_storage

    return inspection_storage(args.url, dict(args.option))
