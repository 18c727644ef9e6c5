"""read_file_stream and read_shared_file_stream: open on entry, close on exit, text on request."""

from __future__ import annotations

from typing import Any

import pytest
from toil.jobStores.abstractJobStore import NoSuchFileException

from fsjobstore.jobstore import FsspecJobStore


def test_a_missing_file_raises_on_entry_not_on_call(store: FsspecJobStore) -> None:
    file_id = store.get_empty_file_store_id()
    store.delete_file(file_id)
    reading = store.read_file_stream(file_id)  # Toil's tests call __enter__ themselves
    with pytest.raises(NoSuchFileException):
        reading.__enter__()
    shared = store.read_shared_file_stream("never-written")
    with pytest.raises(NoSuchFileException):
        shared.__enter__()


def test_the_stream_is_closed_on_exit(store: FsspecJobStore) -> None:
    with store.write_file_stream() as (f, file_id):
        f.write(b"closed after")
    seen: list[Any] = []
    with store.read_file_stream(file_id) as stream:
        seen.append(stream)
        assert stream.read() == b"closed after"
    with store.read_file_stream(file_id, encoding="utf-8") as text:
        seen.append(text)
        assert text.read() == "closed after"
    assert all(s.closed for s in seen)


def test_a_read_failing_inside_the_block_still_closes(store: FsspecJobStore) -> None:
    with store.write_shared_file_stream("shared.txt") as f:
        f.write(b"x")
    seen: list[Any] = []
    with pytest.raises(RuntimeError), store.read_shared_file_stream("shared.txt") as stream:
        seen.append(stream)
        raise RuntimeError("the caller failed")
    assert seen[0].closed


def test_text_reads_honour_the_errors_argument(store: FsspecJobStore) -> None:
    with store.write_shared_file_stream("latin.txt") as f:
        f.write("café".encode("latin-1"))
    with store.read_shared_file_stream("latin.txt", encoding="utf-8", errors="replace") as t:
        assert t.read() == "caf\ufffd"
    with (
        pytest.raises(UnicodeDecodeError),
        store.read_shared_file_stream("latin.txt", encoding="utf-8") as strict,
    ):
        strict.read()


def test_an_unknown_encoding_names_itself(store: FsspecJobStore) -> None:
    with store.write_shared_file_stream("plain.txt") as f:
        f.write(b"x")
    with (
        pytest.raises(LookupError, match="no-such-codec"),
        store.read_shared_file_stream("plain.txt", encoding="no-such-codec"),
    ):
        pass
