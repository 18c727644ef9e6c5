"""The root marker: the object that says "a job store lives here", and its format."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from fsjobstore import layout
from fsjobstore.errors import CorruptObjectError, ObjectNotFoundError
from fsjobstore.storage import Storage

__all__ = ["make_marker", "parse_marker", "read_marker"]


def make_marker() -> bytes:
    """The marker document for a new store.

    ``store_id`` makes each store's marker its own: an ``initialize`` whose
    exclusive write was retried after its answer was lost (the Azure SDK
    retries) finds these very bytes, not another leader's.
    """
    document = {
        "format": layout.FORMAT_NAME,
        "version": layout.FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "store_id": uuid.uuid4().hex,
    }
    return json.dumps(document, indent=1).encode("utf-8")


def read_marker(storage: Storage) -> dict[str, Any] | None:
    """The store's marker document, or None when there is no marker.

    Raises :class:`CorruptObjectError` if the marker exists but is not ours or is
    a format version this release cannot read.
    """
    try:
        data = storage.read_bytes(layout.MARKER)
    except ObjectNotFoundError:
        return None
    return parse_marker(storage, data)


def parse_marker(storage: Storage, data: bytes) -> dict[str, Any]:
    """The marker document in *data* (read from *storage*); raises
    :class:`CorruptObjectError` as :func:`read_marker` does."""
    where = f"{storage.url}: {layout.MARKER}"
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptObjectError(f"{where} is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("format") != layout.FORMAT_NAME:
        raise CorruptObjectError(f"{where} is not an fsjobstore marker")
    version = document.get("version")
    if not isinstance(version, int) or version > layout.FORMAT_VERSION:
        raise CorruptObjectError(
            f"{where} has format version {version!r}; this fsjobstore reads "
            f"versions up to {layout.FORMAT_VERSION}"
        )
    return dict(document)
