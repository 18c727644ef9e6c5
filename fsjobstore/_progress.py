"""Progress bars for long listings: shown with ``rich`` on stderr, and only on a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from fsjobstore._snapshot import Progress

__all__ = ["progress_bar"]


@contextlib.contextmanager
def progress_bar(enabled: bool | None = None) -> Iterator[Progress]:
    """A progress callback for :func:`~fsjobstore._snapshot.take_snapshot`.

    With *enabled* None, a bar is drawn only when stderr is a terminal and
    ``rich`` is installed; otherwise the callback does nothing.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield lambda what, done, total: None
        return
    try:
        from rich.progress import Progress as RichProgress
    except ImportError:
        yield lambda what, done, total: None
        return
    from rich.console import Console

    tasks: dict[str, Any] = {}
    with RichProgress(console=Console(stderr=True), transient=True) as bar:

        def update(what: str, done: int, total: int | None) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        yield update
