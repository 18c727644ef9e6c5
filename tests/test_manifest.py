"""The job manifest's encoding: the same document as the standard library would write."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from fsjobstore import manifest
from fsjobstore.errors import CorruptObjectError
from tests._clock import clock

FIELDS = {"job_id": "j-1", "name": "j", "requirements": {"memory": 2**40, "cores": 1.5},
          "successors": ["a", "b"], "unicode": "Grüße ✓"}


@pytest.mark.parametrize("stamp", [0.0, 1_700_000_000.0005, 1_790_000_000.999, 1_790_000_001.5])
def test_updated_matches_datetime_isoformat(monkeypatch: pytest.MonkeyPatch, stamp: float) -> None:
    monkeypatch.setattr("fsjobstore.manifest.time", clock(time=lambda: stamp))
    expected = datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="milliseconds")
    assert manifest._utc_now() == expected


def test_encode_is_json_the_standard_library_reads_back() -> None:
    data = manifest.encode(FIELDS, b"\x00payload\xff")
    document = json.loads(data)
    assert {k: document[k] for k in FIELDS} == FIELDS
    assert manifest.payload(manifest.decode(data)) == b"\x00payload\xff"


@pytest.mark.parametrize("data", [b"", b"{", b"\xff\xfe", b"[]", b'{"schema": 1}'])
def test_decode_refuses_what_is_not_a_manifest(data: bytes) -> None:
    with pytest.raises(CorruptObjectError):
        manifest.decode(data)


@pytest.mark.parametrize(("field", "value"), [
    ("files_to_delete", 3), ("services", ["a", 1]), ("successors", [{"x": 1}]),
    ("log_file_id", 5), ("remaining_try_count", "2"), ("remaining_try_count", True),
    ("predecessor_count", 1.5),
])
def test_decode_refuses_fields_of_the_wrong_type(field: str, value: object) -> None:
    # The inspection tools read these fields; a hand-edited manifest must be
    # reported as corrupt, not crash them.
    document = json.loads(manifest.encode(FIELDS, b"p"))
    document[field] = value
    with pytest.raises(CorruptObjectError, match=f"field {field!r}"):
        manifest.decode(json.dumps(document).encode())


def test_decode_takes_nulls_where_a_field_may_be_null() -> None:
    fields = {**FIELDS, "log_file_id": None, "remaining_try_count": None, "services": []}
    assert manifest.decode(manifest.encode(fields, b"p"))["log_file_id"] is None


def test_a_service_hosts_flag_files_are_recorded() -> None:
    from fsjobstore._job_fields import describe_job

    class Host:  # what describe_job reads of Toil's ServiceJobDescription
        jobStoreID, jobName, displayName, unitName = "svc-1", "svc", "svc", ""
        accelerators: tuple[object, ...] = ()
        startJobStoreID, terminateJobStoreID, errorJobStoreID = "files/a/s", "files/b/t", None

        def has_body(self) -> bool:
            return False

    assert describe_job(Host())["service_flags"] == ["files/a/s", "files/b/t"]
    assert describe_job(type("Plain", (Host,), {"startJobStoreID": None,
                                                "terminateJobStoreID": None})())[
        "service_flags"] == []
