"""Hinted file IDs (Toil's HintedJobStore slots): every file gets its own slot,
whatever its name, and a deleted slot is never reused."""

from __future__ import annotations

from typing import Any

import pytest

from fsjobstore import _sftp_link, layout
from fsjobstore.jobstore import FsspecJobStore


def test_numeric_basenames_do_not_block_numbered_slots(store: FsspecJobStore) -> None:
    # Slot n of a name is files/<n>/<name>: a file named "0" must not stand there.
    written: dict[str, bytes] = {}
    for name in ("0", "0", "x", "x", "1"):
        with store.write_file_stream(hints=["wf", "task"], basename=name) as (f, file_id):
            f.write(f"{name} #{len(written)}".encode())
        written[file_id] = f"{name} #{len(written)}".encode()
    assert len(written) == 5  # five distinct IDs
    for file_id, content in written.items():
        with store.read_file_stream(file_id) as r:
            assert r.read() == content
    for file_id in written:
        store.delete_file(file_id)
    with store.write_file_stream(hints=["wf", "task"], basename="x") as (f, again):
        f.write(b"new")
    assert again not in written  # a tombstone keeps every deleted ID unused
    assert again.endswith("/x")


@pytest.mark.parametrize("backend", ["memory", "s3", "gs", "az", "sftp"], indirect=True)
def test_a_key_created_after_the_check_is_not_overwritten(
    store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another worker claims the slot between this one's check and its write (as
    # two WDL shards with the same hints and basename may): it keeps its file.
    storage = store.storage
    fs = storage.fs
    target = storage.path("hinted/wf/files/out.txt")
    real = fs.pipe_file

    def overtaken(path: str, value: bytes, **kwargs: Any) -> Any:
        monkeypatch.setattr(fs, "pipe_file", real)
        real(target, b"theirs")  # the other writer, just before this one's write
        return real(path, value, **kwargs)

    monkeypatch.setattr(fs, "pipe_file", overtaken)
    assert storage.create_placeholder("hinted/wf/files/out.txt") is False
    assert storage.read_bytes("hinted/wf/files/out.txt") == b"theirs"
    assert [k for k in storage.list_keys("hinted") if layout.is_temp_name(k)] == []


@pytest.mark.parametrize("backend", ["sftp"], indirect=True)
def test_a_server_without_hard_links_is_asked_once(
    store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Then exclusive writes fall back to a check before the write, uploading once.
    tries: list[str] = []

    def unsupported(fs: Any, source: str, target: str) -> None:
        tries.append(target)
        raise _sftp_link.LinkUnsupportedError("no hardlink@openssh.com")

    monkeypatch.setattr(_sftp_link, "link", unsupported)
    storage = store.storage
    assert storage.create_placeholder("hinted/a/files/x") is True
    assert storage.create_placeholder("hinted/b/files/x") is True
    assert storage.create_placeholder("hinted/b/files/x") is False
    assert len(tries) == 1
