"""Count the HTTP requests gcsfs and adlfs send (both go through aiohttp).

``aiohttp.ClientSession._request`` is called once per request put on the wire,
retries included, so counts are deterministic and tests may assert them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import aiohttp

__all__ = ["HttpRequests", "azure_operation", "gcs_operation"]


def gcs_operation(method: str, path: str, query: dict[str, str]) -> str:
    """What a GCS JSON-API request does, named after the API's methods."""
    if "upload_id" in query or "/resumable/" in path:
        return "cancel session" if method == "DELETE" else "upload chunk"
    upload = query.get("uploadType")
    if upload == "multipart":
        return "simple upload"
    if upload == "resumable":
        return "start session"
    if "/download/" in path or query.get("alt") == "media":
        return "download"
    if path.endswith("/o"):
        return "list"
    if "/o/" in path:
        return {"GET": "get metadata", "DELETE": "delete"}.get(method, f"{method} object")
    return f"{method} {path}"


def azure_operation(method: str, path: str, query: dict[str, str]) -> str:
    """The Blob REST operation a request is, as the docs name it."""
    comp = query.get("comp")
    if method == "PUT":
        return {None: "Put Blob", "block": "Put Block", "blocklist": "Put Block List"}.get(
            comp, f"PUT ?comp={comp}")
    if comp == "list":
        return "List Blobs"
    if comp is None:
        return {"GET": "Get Blob", "HEAD": "Get Blob Properties",
                "DELETE": "Delete Blob"}.get(method, f"{method} blob")
    return f"{method} ?comp={comp}"


class HttpRequests:
    """``with HttpRequests(name) as seen:`` then ``seen.sequence`` / ``seen.counts``.

    *name* turns (method, URL path, query) into an operation name.  With *fail*
    ``(operation, n)``, the n-th request of that operation (from 1) is not sent:
    it raises ``ConnectionResetError`` instead, which neither gcsfs nor the
    Azure SDK retries.  ``seen.peak_in_flight[operation]`` is the most requests
    of an operation sent at once (from sending to the response's headers).
    """

    def __init__(self, name: Callable[[str, str, dict[str, str]], str],
                 fail: tuple[str, int] | None = None) -> None:
        self._name = name
        self._fail = fail
        self._real = aiohttp.ClientSession._request
        self.sequence: list[str] = []
        self.peak_in_flight: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()

    @property
    def counts(self) -> dict[str, int]:
        return dict(Counter(self.sequence))

    def __enter__(self) -> HttpRequests:
        real = self._real

        async def counted(session: aiohttp.ClientSession, method: str, url: Any,
                          **kwargs: Any) -> Any:
            parts = urlsplit(str(url))
            query = dict(parse_qsl(parts.query))
            query.update({str(k): str(v) for k, v in (kwargs.get("params") or {}).items()})
            operation = self._name(method.upper(), parts.path, query)
            self.sequence.append(operation)
            if self._fail == (operation, self.sequence.count(operation)):
                raise ConnectionResetError(f"injected: connection reset during {operation}")
            self._in_flight[operation] += 1
            self.peak_in_flight[operation] = max(
                self.peak_in_flight[operation], self._in_flight[operation])
            try:
                return await real(session, method, url, **kwargs)
            finally:
                self._in_flight[operation] -= 1

        setattr(aiohttp.ClientSession, "_request", counted)  # noqa: B010 - a method
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        setattr(aiohttp.ClientSession, "_request", self._real)  # noqa: B010 - a method
