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
        #: Every operation, in the order its requests were sent.
        self.sequence: list[str] = []
        #: The Range header of every GetObject (None for a whole-object GET).
        self.get_ranges: list[str | bytes | None] = []

    @property
    def total(self) -> int:
        return sum(self.by_operation.values())

    def _on_send(self, event_name: str, request: Any = None, **_: Any) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        self.by_operation[operation] += 1
        self.sequence.append(operation)
        if operation == "GetObject" and request is not None:
            self.get_ranges.append(request.headers.get("Range"))

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
