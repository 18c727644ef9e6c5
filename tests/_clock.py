"""The ``time`` module as one module under test sees it, with some functions replaced.

``monkeypatch.setattr("pkg.module.time.sleep", fake)`` replaces ``time.sleep`` for
the whole process: a thread an earlier test left running would call the fake too.
``monkeypatch.setattr("pkg.module.time", clock(sleep=fake))`` changes only the
module under test.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any


def clock(**replacements: Callable[..., Any]) -> SimpleNamespace:
    """A stand-in for the ``time`` module: its functions, with *replacements*."""
    functions = {name: getattr(time, name) for name in dir(time) if not name.startswith("_")}
    return SimpleNamespace(**{**functions, **replacements})
