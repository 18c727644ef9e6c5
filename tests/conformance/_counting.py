"""Count the HTTP requests an S3 filesystem sends, by API operation.

It hooks botocore's ``before-send`` event on the s3fs client: one event per
request put on the wire, retries included.  Counts are deterministic, so tests
may assert them (wall-clock time is never asserted).
"""

from __future__ import annotations

from collections import Counter
from types import TracebackType
from typing import Any


class RequestCounter:
    """``with RequestCounter(fs) as counter:`` then ``counter.total`` / ``counter.by_operation``."""

    def __init__(self, fs: Any) -> None:
        self._fs = fs
        self.by_operation: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def _on_send(self, event_name: str, **_: Any) -> None:
        self.by_operation[event_name.rsplit(".", 1)[-1]] += 1

    def __enter__(self) -> RequestCounter:
        self._fs.connect()
        self._fs.s3.meta.events.register("before-send.s3", self._on_send)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._fs.s3.meta.events.unregister("before-send.s3", self._on_send)
