"""``verify`` and ``gc`` on S3: unfinished multipart uploads under the prefix."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from fsjobstore import layout, maintenance
from fsjobstore.cli import main
from fsjobstore.errors import BackendError
from fsjobstore.marker import make_marker
from fsjobstore.storage import Storage
from tests.servers import Backend


def _options(backend: Backend) -> list[str]:
    argv: list[str] = []
    for name, value in backend.storage_options.items():
        argv += ["-o", f"{name}={json.dumps(value) if not isinstance(value, str) else value}"]
    return argv


def _store_with_an_unfinished_upload(
    backend: Backend, key: str
) -> tuple[str, Storage, dict[str, Any]]:
    """A new store (its marker and config written) and a multipart upload begun at
    *key*, never completed."""
    url = backend.new_url()
    storage = Storage(url, backend.storage_options)
    storage.write_bytes(layout.MARKER, make_marker())
    storage.write_bytes(layout.shared_key("config.pickle"), b"Toil's config")
    bucket, _, prefix = storage.root.partition("/")
    upload = storage.fs.call_s3("create_multipart_upload", Bucket=bucket, Key=f"{prefix}/{key}")
    return url, storage, dict(upload)


def test_unfinished_upload_is_found_and_aborted(
    s3_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    key = f"files/{'1' * 32}/big"
    url, storage, upload = _store_with_an_unfinished_upload(s3_backend, key)
    storage.write_bytes("files/" + "0" * 32 + "/data", b"kept")
    options = _options(s3_backend)

    assert main(["verify", url, *options, "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["kind"], p["key"], p["upload_id"]) for p in problems] == [
        ("unfinished-upload", key, upload["UploadId"])
    ]
    captured = capsys.readouterr()
    assert "testing" not in captured.out + captured.err  # the secret option is never shown

    assert main(["gc", url, *options, "--dry-run", "--min-age", "0"]) == 0
    assert main(["verify", url, *options]) == 1
    capsys.readouterr()
    assert main(["gc", url, *options, "--yes", "--min-age", "0"]) == 0
    assert f"unfinished-upload\t{key}" in capsys.readouterr().out
    assert main(["verify", url, *options]) == 0
    assert storage.read_bytes("files/" + "0" * 32 + "/data") == b"kept"


def test_destroy_on_s3_keeps_foreign_objects(
    s3_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    url = s3_backend.new_url()
    storage = Storage(url, s3_backend.storage_options)
    storage.write_bytes(layout.MARKER, make_marker())
    storage.write_bytes("jobs/a.json", b"{}")
    storage.write_bytes("elsewhere.txt", b"not ours")
    assert main(["destroy", url, *_options(s3_backend), "--yes"]) == 0
    assert storage.list_keys_at_root() == ["elsewhere.txt"]


def test_destroy_in_a_bucket_that_does_not_exist_says_so(
    s3_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    # A mistyped bucket must not read as a store destroyed.
    url = "s3://no-such-bucket-fsjobstore/run1"
    assert main(["destroy", url, *_options(s3_backend), "--yes"]) == 1
    assert "the bucket 'no-such-bucket-fsjobstore' does not exist" in capsys.readouterr().err


def test_destroy_dry_run_names_the_uploads_it_would_abort(
    s3_backend: Backend, capsys: pytest.CaptureFixture[str]
) -> None:
    key = f"files/{'2' * 32}/big"
    url, storage, upload = _store_with_an_unfinished_upload(s3_backend, key)
    options = _options(s3_backend)
    assert main(["destroy", url, *options, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would abort\t{key}\t{upload['UploadId']}" in out.splitlines()
    assert [u.upload_id for u in storage.unfinished_uploads()] == [upload["UploadId"]]
    capsys.readouterr()
    assert main(["destroy", url, *options, "--yes"]) == 0
    assert storage.unfinished_uploads() == []
    assert " and aborted 1 unfinished upload from " in capsys.readouterr().err


def test_gc_spares_an_upload_that_sent_a_part_lately(s3_backend: Backend) -> None:
    # A large stream still being written began long ago: its age is its latest part's.
    key = f"files/{'3' * 32}/big"
    _, storage, upload = _store_with_an_unfinished_upload(s3_backend, key)
    bucket, _, prefix = storage.root.partition("/")
    storage.fs.call_s3("upload_part", Bucket=bucket, Key=f"{prefix}/{key}",
                       UploadId=upload["UploadId"], PartNumber=1, Body=b"part")
    parts = storage.fs.call_s3("list_parts", Bucket=bucket, Key=f"{prefix}/{key}",
                               UploadId=upload["UploadId"])
    part_time: datetime = parts["Parts"][0]["LastModified"]
    hour = timedelta(hours=1)
    [found] = maintenance.unfinished_uploads(storage)
    begun_long_ago = dataclasses.replace(found, modified=part_time - 3 * hour)

    def collected(now: datetime) -> list[maintenance.Problem]:
        return maintenance.collect_garbage(storage, [begun_long_ago], min_age=hour, now=now)

    assert collected(part_time + hour / 2) == []  # a part within the hour: still writing
    assert collected(part_time + 2 * hour) == [begun_long_ago]
    assert maintenance.collect_garbage(
        storage, [begun_long_ago], min_age=hour, now=part_time + 2 * hour, dry_run=False
    ) == [begun_long_ago]
    assert storage.unfinished_uploads() == []
    assert collected(part_time + 2 * hour) == []  # gone: nothing to abort


def _list_parts_failing(
    s3_backend: Backend, monkeypatch: pytest.MonkeyPatch, key: str, error: Exception
) -> tuple[Storage, str, maintenance.Problem, datetime]:
    """A store with an unfinished upload at *key* whose ListParts raises *error*:
    the store, the upload's ID, its problem, and a time two hours after it began."""
    _, storage, upload = _store_with_an_unfinished_upload(s3_backend, key)
    [found] = maintenance.unfinished_uploads(storage)
    assert found.modified is not None
    real = storage.fs.call_s3

    def failing(method: str, *args: Any, **kwargs: Any) -> Any:
        if method == "list_parts":
            raise error
        return real(method, *args, **kwargs)

    monkeypatch.setattr(storage.fs, "call_s3", failing)
    return storage, str(upload["UploadId"]), found, found.modified + timedelta(hours=2)


def test_gc_without_permission_to_list_parts_ages_an_upload_by_its_start(
    s3_backend: Backend, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    storage, _, found, now = _list_parts_failing(
        s3_backend, monkeypatch, f"files/{'4' * 32}/big",
        PermissionError("injected: AccessDenied for ListMultipartUploadParts"))
    hour = timedelta(hours=1)
    assert maintenance.collect_garbage(storage, [found], min_age=hour, now=now) == [found]
    assert "list parts" in caplog.text and "aged by when it began" in caplog.text
    monkeypatch.undo()
    storage.abort_uploads(storage.unfinished_uploads())


def test_gc_stops_when_list_parts_fails_otherwise(
    s3_backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Throttled, dropped, a 5xx: not knowing when the upload last sent a part is
    # no reason to abort it (its writer may still be sending).
    storage, upload_id, found, now = _list_parts_failing(
        s3_backend, monkeypatch, f"files/{'5' * 32}/big",
        OSError("SlowDown: Please reduce your request rate (injected)"))
    hour = timedelta(hours=1)
    with pytest.raises(BackendError, match="SlowDown"):
        maintenance.collect_garbage(storage, [found], min_age=hour, now=now, dry_run=False)
    monkeypatch.undo()
    assert [u.upload_id for u in storage.unfinished_uploads()] == [upload_id]
    storage.abort_uploads(storage.unfinished_uploads())
