"""GCS and Azure stores for request-level tests, with each backend's names for its requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._http_count import HttpRequests, azure_operation, gcs_operation
from tests.servers import Backend


@dataclass(frozen=True)
class Names:
    """How one backend names the requests the tests look for."""

    operation: Callable[[str, str, dict[str, str]], str]
    upload: str  # stores a whole object
    download: str  # reads a whole object
    stat: str  # an object's metadata
    listing: str  # one page of a listing
    delete: str  # deletes one object
    part: str  # sends one part of a stream
    commit: str | None  # makes the object of the parts, if not the last part


NAMES = {
    "gs": Names(gcs_operation, "simple upload", "download", "get metadata", "list", "delete",
                "upload chunk", None),
    "az": Names(azure_operation, "Put Blob", "Get Blob", "Get Blob Properties", "List Blobs",
                "Delete Blob", "Put Block", "Put Block List"),
}


@dataclass(frozen=True)
class Remote:
    """A store on GCS or Azure, and how that backend names its requests."""

    backend: Backend
    store: FsspecJobStore
    names: Names

    def requests(self, fail: tuple[str, int] | None = None) -> HttpRequests:
        return HttpRequests(self.names.operation, fail)
