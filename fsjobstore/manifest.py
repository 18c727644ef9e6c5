"""The job manifest: one JSON document per job, readable without Toil.

A manifest holds the fields a person wants to see (name, requirements,
successors, tries left, ...) next to Toil's own serialized description (the
``payload``).  Readers that are not Toil use the plain fields and never unpickle
the payload.  Schema (``schema`` = ``fsjobstore.job/1``)::

    {
      "schema": "fsjobstore.job/1",
      "job_id": str, "name": str, "display_name": str, "unit_name": str | null,
      "command": str | null, "has_body": bool,
      "requirements": {"memory": int|null, "cores": float|null, "disk": int|null,
                       "accelerators": list, "preemptible": bool|null},
      "remaining_try_count": int | null, "version": int | null,
      "successors": [job_id, ...], "predecessor_count": int,
      "services": [job_id, ...], "files_to_delete": [file_id, ...],
      "log_file_id": file_id | null, "checkpoint": bool,
      "updated": ISO-8601 UTC time of this write,
      "payload_encoding": "pickle+base64", "payload": str
    }
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable, Mapping
from typing import Any, cast

import orjson

from fsjobstore import layout
from fsjobstore.errors import CorruptObjectError, InvalidInputError

__all__ = ["PAYLOAD_ENCODING", "SCHEMA", "decode", "encode", "validate"]

SCHEMA = "fsjobstore.job/1"
PAYLOAD_ENCODING = "pickle+base64"

_REQUIRED: Mapping[str, type | tuple[type, ...]] = {
    "schema": str,
    "job_id": str,
    "name": str,
    "requirements": dict,
    "successors": list,
    "updated": str,
    "payload_encoding": str,
    "payload": str,
}


#: Lists of job or file IDs, and which kind each holds: the tools look their
#: items up.
_ID_LISTS: Mapping[str, str] = {
    "successors": "job", "services": "job", "files_to_delete": "file", "service_flags": "file",
}
_ID_CHECKS: Mapping[str, Callable[[str], object]] = {
    "job": layout.validate_job_id, "file": layout.parse_file_id,
}
#: Fields the tools read that may be null.
_OPTIONAL: Mapping[str, type | tuple[type, ...]] = {
    "log_file_id": str,
    "remaining_try_count": int,
    "predecessor_count": int,
}


def encode(fields: Mapping[str, Any], payload: bytes) -> bytes:
    """The manifest document for *fields* plus Toil's serialized *payload*."""
    document = dict(fields)
    document["schema"] = SCHEMA
    document["updated"] = _utc_now()
    document["payload_encoding"] = PAYLOAD_ENCODING
    document["payload"] = binascii.b2a_base64(payload, newline=False).decode("ascii")
    # orjson: compact JSON, as json.dumps(separators=(",", ":")) writes it except
    # that non-ASCII text stays UTF-8 instead of \u escapes; a tenth of the time
    # (this runs on every job write).
    return orjson.dumps(document, default=str)


_second: tuple[int, str] = (-1, "")


def _utc_now() -> str:
    """Now as ISO 8601 UTC with milliseconds (``2026-11-26T16:30:00.123+00:00``).

    The same text as ``datetime.now(timezone.utc).isoformat(timespec="milliseconds")``
    at a third of the cost: the date and time part is formatted once a second.
    """
    global _second
    now = time.time()
    whole = int(now)
    if _second[0] != whole:
        _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return f"{_second[1]}.{int((now - whole) * 1000):03d}+00:00"


def decode(data: bytes, *, where: str = "manifest", check_ids: bool = False) -> dict[str, Any]:
    """Parse and check a manifest; :class:`CorruptObjectError` if it is not one.

    With *check_ids* (the inspection tools, which follow the IDs), also the form
    of every job and file ID in it; Toil's own reads skip that cost.
    """
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise CorruptObjectError(f"{where} is not valid JSON: {exc}") from None
    validate(document, where=where)
    if check_ids:
        _check_ids(document, where)
    return cast(dict[str, Any], document)  # a fresh dict of orjson's: no copy


def _check_ids(document: Mapping[str, Any], where: str) -> None:
    items = [(name, item, kind) for name, kind in _ID_LISTS.items()
             for item in document.get(name, [])]
    if document.get("log_file_id") is not None:
        items.append(("log_file_id", document["log_file_id"], "file"))
    for name, item, kind in items:
        try:
            _ID_CHECKS[kind](item)
        except InvalidInputError:
            raise CorruptObjectError(
                f"{where} field {name!r} holds {item!r}, which is not an fsjobstore {kind} ID"
            ) from None


def validate(document: Any, *, where: str = "manifest") -> None:
    """Raise :class:`CorruptObjectError` unless *document* matches the schema."""
    if not isinstance(document, dict):
        raise CorruptObjectError(f"{where} is not a JSON object")
    for name, kind in _REQUIRED.items():
        if not isinstance(document.get(name), kind):
            raise CorruptObjectError(
                f"{where} field {name!r} should be {_kind_name(kind)}, "
                f"found {type(document.get(name)).__name__}"
            )
    for name in _ID_LISTS:
        value = document.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise CorruptObjectError(f"{where} field {name!r} should be a list of IDs (strings)")
    for name, kinds in _OPTIONAL.items():
        value = document.get(name)
        # bool is an int in Python, never a count in a manifest
        if value is not None and (not isinstance(value, kinds) or isinstance(value, bool)):
            raise CorruptObjectError(
                f"{where} field {name!r} should be {_kind_name(kinds)} or null, "
                f"found {type(value).__name__}"
            )
    if document["schema"] != SCHEMA:
        raise CorruptObjectError(f"{where} has schema {document['schema']!r}, expected {SCHEMA!r}")
    if document["payload_encoding"] != PAYLOAD_ENCODING:
        raise CorruptObjectError(
            f"{where} has payload encoding {document['payload_encoding']!r}, "
            f"expected {PAYLOAD_ENCODING!r}"
        )


def payload(document: Mapping[str, Any]) -> bytes:
    """The serialized Toil description inside a decoded manifest."""
    try:
        return base64.b64decode(document["payload"], validate=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptObjectError(f"manifest payload is not base64: {exc}") from None


def _kind_name(kind: type | tuple[type, ...]) -> str:
    if isinstance(kind, tuple):
        return " or ".join(k.__name__ for k in kind)
    return kind.__name__
