"""``verify`` finds each injected corruption; ``gc`` removes exactly the orphans; ``destroy``."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from fsjobstore import open_view
from fsjobstore.cli import main
from fsjobstore.errors import CorruptObjectError


def verify(capsys: pytest.CaptureFixture[str], store_path: Path) -> tuple[int, list[Any]]:
    status = main(["verify", store_path.as_uri(), "--json", "--no-progress"])
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] == (status == 0)
    return status, report["problems"]


def listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def manifests(store_path: Path) -> list[Path]:
    return sorted((store_path / "jobs").glob("*.json"))


def test_clean_store_passes(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    assert verify(capsys, store_path) == (0, [])
    assert main(["verify", store_path.as_uri()]) == 0
    assert "OK" in capsys.readouterr().out


def test_an_initialize_that_did_not_finish_is_reported(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    # A leader stopped between the marker and Toil's config: Toil cannot resume it.
    (store_path / "shared" / "config.pickle").unlink()
    status, problems = verify(capsys, store_path)
    assert status == 1
    assert [(p["kind"], p["key"]) for p in problems] == [
        ("config-missing", "shared/config.pickle")]
    assert "toil clean" in problems[0]["detail"]
    assert main(["gc", store_path.as_uri(), "--yes", "--min-age", "0"]) == 0
    assert (store_path / "fsjobstore.json").exists()  # not removable: gc leaves the store


def test_truncated_manifest(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    path = manifests(store_path)[0]
    path.write_bytes(path.read_bytes()[:40])
    status, problems = verify(capsys, store_path)
    assert status == 1
    assert [(p["kind"], p["key"]) for p in problems] == [
        ("manifest-corrupt", f"jobs/{path.name}")
    ]
    # Human output: one line per problem, kind, key, detail.
    assert main(["verify", store_path.as_uri()]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"manifest-corrupt\tjobs/{path.name}\t") and "not valid JSON" in line


def test_deleted_referenced_file(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    failed = next(
        json.loads(p.read_text()) for p in manifests(store_path)
        if json.loads(p.read_text())["remaining_try_count"] == 0
    )
    (store_path / failed["log_file_id"]).unlink()
    status, problems = verify(capsys, store_path)
    assert status == 1
    assert [(p["kind"], p["key"]) for p in problems] == [("missing-file", failed["log_file_id"])]
    assert failed["job_id"] in problems[0]["detail"]


def test_a_service_hosts_deleted_flag_files_are_not_missing(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    # Toil deletes a service's flag files when it ends; its host's description may stay.
    path = next(p for p in manifests(store_path)
                if json.loads(p.read_text())["remaining_try_count"] == 0)
    document = json.loads(path.read_text())
    (store_path / document["log_file_id"]).unlink()
    document["service_flags"] = [document["log_file_id"]]
    path.write_text(json.dumps(document))
    assert verify(capsys, store_path) == (0, [])


def test_stray_temp_object(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    stray = store_path / "files" / ".tmp-0123-stream"
    stray.write_bytes(b"half")
    status, problems = verify(capsys, store_path)
    assert status == 1
    assert [(p["kind"], p["key"], p["removable"]) for p in problems] == [
        ("temporary-object", "files/.tmp-0123-stream", True)
    ]


def inject_orphans(store_path: Path) -> set[str]:
    """A stray temporary object and the owned files of a deleted job; their keys."""
    (store_path / ".tmp-abc-fsjobstore.json").write_bytes(b"")
    root = next(p for p in manifests(store_path) if p.name.startswith("root-"))
    root.unlink()
    job_id = root.name[: -len(".json")]
    owned = {str(p.relative_to(store_path)) for p in (store_path / "owned" / job_id).rglob("*")
             if p.is_file()}
    assert owned
    return owned | {".tmp-abc-fsjobstore.json"}


def test_gc_dry_run_changes_nothing(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    orphans = inject_orphans(store_path)
    before = listing(store_path)
    assert main(["gc", store_path.as_uri(), "--dry-run", "--min-age", "0"]) == 0
    out = capsys.readouterr().out
    assert {line.split("\t")[2] for line in out.splitlines()} == orphans
    assert listing(store_path) == before


def test_gc_removes_exactly_the_orphans(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    orphans = inject_orphans(store_path)
    before = listing(store_path)
    assert main(["gc", store_path.as_uri(), "--yes", "--min-age", "0"]) == 0
    assert listing(store_path) == before - orphans
    assert f"removed {len(orphans)} orphans\n" in capsys.readouterr().err
    assert verify(capsys, store_path) == (0, [])


def test_one_of_a_kind_is_counted_in_the_singular(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    (store_path / "owned" / "gone-job" / ("3" * 32)).mkdir(parents=True)
    (store_path / "owned" / "gone-job" / ("3" * 32) / "orphan.txt").write_text("x")
    assert main(["verify", store_path.as_uri()]) == 1
    assert f"1 problem in {store_path.as_uri()}" in capsys.readouterr().err
    assert main(["gc", store_path.as_uri(), "--yes", "--min-age", "0"]) == 0
    assert "removed 1 orphan\n" in capsys.readouterr().err


def test_gc_spares_young_objects(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    orphans = inject_orphans(store_path)
    before = listing(store_path)
    assert main(["gc", store_path.as_uri(), "--yes"]) == 0  # default: older than an hour
    assert listing(store_path) == before
    # Says what it left, so "removed 0" does not read as "no orphans".
    assert (f"removed 0 orphans; {len(orphans)} younger than --min-age 3600s left alone"
            in capsys.readouterr().err)


def test_destructive_commands_need_yes(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    before = listing(store_path)
    assert main(["gc", store_path.as_uri()]) == 2
    assert main(["destroy", store_path.as_uri()]) == 2
    assert "--yes" in capsys.readouterr().err
    assert listing(store_path) == before


def test_destroy(capsys: pytest.CaptureFixture[str], store_path: Path) -> None:
    (store_path / "not-ours.txt").write_text("keep me")
    before = listing(store_path)
    assert main(["destroy", store_path.as_uri(), "--dry-run"]) == 0
    planned = [line.split("\t")[1] for line in capsys.readouterr().out.splitlines()]
    assert planned[-1] == "fsjobstore.json" and "not-ours.txt" not in planned
    assert set(planned) == before - {"not-ours.txt"}
    assert listing(store_path) == before
    assert main(["destroy", store_path.as_uri(), "--yes"]) == 0
    assert listing(store_path) == {"not-ours.txt"}


def test_destroy_refuses_without_marker(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "x.json").write_text("{}")
    assert main(["destroy", tmp_path.as_uri(), "--yes"]) == 1
    assert "refusing to destroy" in capsys.readouterr().err
    assert os.path.exists(tmp_path / "jobs" / "x.json")


def test_destroy_of_a_prefix_without_a_store_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    assert main(["destroy", tmp_path.as_uri(), "--yes"]) == 0
    err = capsys.readouterr().err
    assert "no job store at" in err and "left alone" in err
    assert listing(tmp_path) == {"notes.txt"}


@pytest.mark.parametrize("marker", [None, '{"format": "fsjobstore", "version": 99}'])
@pytest.mark.parametrize("mode", ["--dry-run", "--yes"])
def test_gc_refuses_a_prefix_without_a_readable_marker(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, marker: str | None, mode: str
) -> None:
    # Without the marker, objects laid out like a store's orphans may be someone else's.
    (tmp_path / "owned" / "job-x" / "f1").mkdir(parents=True)
    (tmp_path / "owned" / "job-x" / "f1" / "stream").write_text("not an orphan of ours")
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / ".tmp-1-stream").write_text("nor this")
    if marker is not None:
        (tmp_path / "fsjobstore.json").write_text(marker)
    before = listing(tmp_path)
    assert main(["gc", tmp_path.as_uri(), mode, "--min-age", "0"]) == 1
    assert "refusing to remove orphans" in capsys.readouterr().err
    assert listing(tmp_path) == before


def test_a_manifest_with_fields_of_the_wrong_type_is_reported_not_fatal(
    capsys: pytest.CaptureFixture[str], store_path: Path
) -> None:
    path = next(p for p in manifests(store_path) if p.name.startswith("root-"))
    document = json.loads(path.read_text())
    document["files_to_delete"] = 3
    document["successors"] = [{"x": 1}]
    path.write_text(json.dumps(document))
    status, problems = verify(capsys, store_path)
    assert status == 1
    assert ("manifest-corrupt", f"jobs/{path.name}") in [(p["kind"], p["key"]) for p in problems]
    # The job's row is unreadable, and still counts what the listing says it owns.
    assert main(["jobs", store_path.as_uri(), "--json", "--no-progress"]) == 0
    row = next(r for r in json.loads(capsys.readouterr().out)
               if r["job_id"] == path.name[: -len(".json")])
    owned = [p for p in (store_path / "owned" / row["job_id"]).rglob("*") if p.is_file()]
    assert row["state"] == "unreadable" and "should be a list of IDs" in row["error"]
    assert (row["owned_files"], row["owned_bytes"]) == (len(owned),
                                                        sum(p.stat().st_size for p in owned))
    assert row["owned_files"] > 0
    # ...and when the manifest was written, from the listing.
    assert row["updated"] == datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat()


@pytest.mark.parametrize(("field", "value"), [
    ("successors", ["../../x"]), ("services", ["a/b"]), ("files_to_delete", ["/etc/passwd"]),
    ("log_file_id", "shared/config.pickle"),
])
def test_a_manifest_naming_no_valid_id_is_reported_not_followed(
    capsys: pytest.CaptureFixture[str], store_path: Path, field: str, value: Any
) -> None:
    path = next(p for p in manifests(store_path) if p.name.startswith("root-"))
    document = json.loads(path.read_text())
    document[field] = value
    path.write_text(json.dumps(document))
    status, problems = verify(capsys, store_path)
    assert status == 1
    found = [p for p in problems if p["key"] == f"jobs/{path.name}"]
    assert [p["kind"] for p in found] == ["manifest-corrupt"]
    assert f"field {field!r} holds" in found[0]["detail"]
    job_id = path.name[: -len(".json")]
    with pytest.raises(CorruptObjectError, match=f"jobs/{path.name} field {field!r}"):
        open_view(store_path.as_uri()).job(job_id)
