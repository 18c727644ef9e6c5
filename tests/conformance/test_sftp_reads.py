"""SFTP reads into a local file: one version, whole, even when the file is
replaced while it is being read (asyncssh's ``get`` stats the path, then opens
it again and copies the size it saw)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from fsjobstore.jobstore import FsspecJobStore

#: Each replacement is longer than the one before: a copy of the size seen
#: before a replacement is a prefix of a newer version, not a version.
VERSIONS = [bytes([65 + n]) * (1000 + 150_000 * n) for n in range(4)]


def test_a_file_replaced_while_it_is_read_comes_out_whole(
    sftp_store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = tmp_path / "v0"
    source.write_bytes(VERSIONS[0])
    file_id = sftp_store.write_file(str(source))
    # The server serves this machine's file system: replace the file there, as
    # another worker's update_file does (a rename onto it).
    target = sftp_store.storage.path(file_id)
    replaced: list[str] = []

    def replace(path: Any) -> None:
        if os.fsdecode(path) == target and len(replaced) + 1 < len(VERSIONS):
            replaced.append(os.fsdecode(path))
            temp = f"{target}.replacement"
            Path(temp).write_bytes(VERSIONS[len(replaced)])
            os.replace(temp, target)

    real_stat, real_open = asyncssh.SFTPClient.stat, asyncssh.SFTPClient.open

    async def stat(self: asyncssh.SFTPClient, path: Any, *args: Any, **kwargs: Any) -> Any:
        attrs = await real_stat(self, path, *args, **kwargs)
        replace(path)  # after the size was seen
        return attrs

    async def open_(self: asyncssh.SFTPClient, path: Any, *args: Any, **kwargs: Any) -> Any:
        handle = await real_open(self, path, *args, **kwargs)
        replace(path)  # after the file was opened
        return handle

    monkeypatch.setattr(asyncssh.SFTPClient, "stat", stat)
    monkeypatch.setattr(asyncssh.SFTPClient, "open", open_)
    copy = tmp_path / "copy"
    sftp_store.read_file(file_id, str(copy))
    monkeypatch.undo()
    assert replaced  # the read met at least one replacement
    assert copy.read_bytes() in VERSIONS
