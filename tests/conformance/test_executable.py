"""The executable bit survives write_file -> read_file and export_file, via the file ID."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fsjobstore.jobstore import FsspecJobStore


def is_executable(path: Path) -> bool:
    return bool(os.stat(path).st_mode & stat.S_IXUSR)


def test_executable_bit_round_trips(store: FsspecJobStore, tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    plain = tmp_path / "data.txt"
    plain.write_text("data")
    script_id = store.write_file(str(script))
    plain_id = store.write_file(str(plain))
    hinted_id = store.write_file(str(script), hints=["tools"])
    # A plain string ID (no FileID attributes) is enough: the ID carries the bit.
    for file_id, expected in ((script_id, True), (plain_id, False), (hinted_id, True)):
        copy = tmp_path / f"copy-{expected}-{len(file_id)}"
        store.read_file(str(file_id), str(copy))
        assert is_executable(copy) is expected
    exported = tmp_path / "exported.sh"
    from toil.fileStores import FileID

    store.export_file(FileID(script_id, 0, True), f"file://{exported}")
    assert is_executable(exported)
    assert exported.read_text() == script.read_text()
