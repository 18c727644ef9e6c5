"""Listing unfinished multipart uploads follows S3's pages (moto answers in one page,
so the paging is checked against recorded ListMultipartUploads answers)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fsjobstore._s3_uploads import Upload, list_uploads

_WHEN = datetime(2026, 11, 27, tzinfo=timezone.utc)


class _Pages:
    """Answers ListMultipartUploads from *pages*, recording each request's arguments."""

    def __init__(self, pages: list[dict[str, Any]]) -> None:
        self.pages = pages
        self.asked: list[dict[str, Any]] = []

    def split_path(self, path: str) -> tuple[str, str, None]:
        bucket, _, key = path.partition("/")
        return bucket, key, None

    def call_s3(self, method: str, **kwargs: Any) -> dict[str, Any]:
        assert method == "list_multipart_uploads"
        self.asked.append(kwargs)
        return self.pages[len(self.asked) - 1]


def test_every_page_is_listed_with_the_markers_s3_returned() -> None:
    fs = _Pages([
        {"IsTruncated": True, "NextKeyMarker": "run/jobs/b", "NextUploadIdMarker": "u2",
         "Uploads": [{"Key": "run/jobs/a", "UploadId": "u1", "Initiated": _WHEN},
                     {"Key": "run/jobs/b", "UploadId": "u2", "Initiated": _WHEN}]},
        {"IsTruncated": False, "Uploads": [{"Key": "run/logs/c", "UploadId": "u3"}]},
    ])
    assert list_uploads(fs, "bkt/run") == [
        Upload("jobs/a", "u1", _WHEN), Upload("jobs/b", "u2", _WHEN), Upload("logs/c", "u3", None),
    ]
    assert fs.asked == [
        {"Bucket": "bkt", "Prefix": "run/"},
        {"Bucket": "bkt", "Prefix": "run/", "KeyMarker": "run/jobs/b", "UploadIdMarker": "u2"},
    ]


def test_a_store_at_the_bucket_root_lists_the_whole_bucket() -> None:
    fs = _Pages([{"IsTruncated": False}])
    assert list_uploads(fs, "bkt") == []
    assert fs.asked == [{"Bucket": "bkt", "Prefix": ""}]
