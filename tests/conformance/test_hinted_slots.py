"""Hinted file IDs (Toil's HintedJobStore slots): every file gets its own slot,
whatever its name, and a deleted slot is never reused."""

from __future__ import annotations

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
