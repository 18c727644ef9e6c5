"""A local file that is not there is named as missing, on every backend.

Toil's caching file store uploads a file in the background and may delete the
local copy first (a job deleting a file whose upload is pending).  Toil's own
store then raises ``FileNotFoundError`` naming the local path; the store's
file must not be reported missing, and it keeps its old content.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fsjobstore.errors import ObjectNotFoundError
from fsjobstore.jobstore import FsspecJobStore


def test_update_file_from_a_missing_local_file_names_it(
    store: FsspecJobStore, tmp_path: Path
) -> None:
    local = tmp_path / "kept.txt"
    local.write_bytes(b"old version")
    file_id = store.write_file(str(local))
    missing = tmp_path / "deleted-before-upload.txt"
    with pytest.raises(FileNotFoundError) as caught:
        store.update_file(file_id, str(missing))
    assert not isinstance(caught.value, ObjectNotFoundError)
    assert caught.value.filename == str(missing)
    assert store.file_exists(file_id)
    with store.read_file_stream(file_id) as f:
        assert f.read() == b"old version"


def test_write_file_from_a_missing_local_file_names_it(
    store: FsspecJobStore, tmp_path: Path
) -> None:
    missing = tmp_path / "never-written.txt"
    with pytest.raises(FileNotFoundError) as caught:
        store.write_file(str(missing))
    assert not isinstance(caught.value, ObjectNotFoundError)
    assert caught.value.filename == str(missing)
