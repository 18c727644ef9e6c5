"""Storage.key_at: which key of the store a URL names, as the backend reads the
URL (Toil unquotes only file: URLs; fsspec and Toil's S3 handler take any other
path literally; a POSIX server resolves '.', '..' and '//')."""

from __future__ import annotations

from pathlib import Path

import pytest
from toil.common import Toil

from fsjobstore.storage import Storage


@pytest.mark.parametrize(("url", "key"), [
    ("s3://bkt/x%20y/fsjobstore.json", "fsjobstore.json"),
    ("s3a://bkt/x%20y/jobs/j", "jobs/j"),
    ("s3://bkt/x%20y", ""),
    ("s3://bkt/x%20y/", ""),
    ("s3://bkt/x y/fsjobstore.json", None),  # another prefix: 'x y', not 'x%20y'
    ("s3://bkt/x%20y/fsjobstore%2Ejson", "fsjobstore%2Ejson"),  # a literal key, not the marker
    ("s3://bkt/x%20yz/fsjobstore.json", None),
    ("gs://bkt/x%20y/fsjobstore.json", None),
])
def test_object_store_paths_are_literal(url: str, key: str | None) -> None:
    assert Storage("s3://bkt/x%20y").key_at(url) == key


def test_memory_urls_with_or_without_a_host() -> None:
    storage = Storage("memory://fsjobstore-key-at/run")
    assert storage.key_at("memory://fsjobstore-key-at/run/jobs/x") == "jobs/x"
    assert storage.key_at("memory:///fsjobstore-key-at/run/jobs/x") == "jobs/x"
    assert storage.key_at("memory://fsjobstore-key-at/other/jobs/x") is None


def test_local_paths_are_resolved_as_the_os_does(tmp_path: Path) -> None:
    root = tmp_path / "store"
    storage = Storage(f"file://{root}")
    for url in (f"{root}/fsjobstore.json", f"{root}/./fsjobstore.json",
                f"{root}/out/../fsjobstore.json", f"{root}//fsjobstore.json",
                (root / "fsjobstore.json").as_uri()):
        assert storage.key_at(Toil.normalize_uri(url)) == "fsjobstore.json", url
    assert storage.key_at(Toil.normalize_uri(f"{root}/out/x.txt")) == "out/x.txt"
    assert storage.key_at(Toil.normalize_uri(f"{root}x/fsjobstore.json")) is None
