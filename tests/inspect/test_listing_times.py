"""Listing times are UTC with one tzinfo, whatever the backend's client gives:
pandas makes a column's dtype from it (s3fs hands out dateutil's ``tzlocal()``
on a machine whose zone is UTC, which pandas keeps as a zone of its own)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from fsjobstore._snapshot import MODIFIED_FIELDS, listing_time

INSTANT = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [
    INSTANT.astimezone(timezone(timedelta(0), "tzlocal()")),  # a zone at UTC+0, not UTC
    INSTANT.astimezone(timezone(timedelta(hours=9))),
    "2026-11-30T13:00:00+09:00",
    "2026-11-30T04:00:00Z",
    INSTANT.timestamp(),
    "20261130040000",
])
def test_a_listing_time_is_utc(value: object) -> None:
    found = listing_time({"LastModified": value}, *MODIFIED_FIELDS)
    assert found == INSTANT
    assert found is not None and found.tzinfo is timezone.utc
