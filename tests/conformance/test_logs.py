"""write_logs/read_logs deliver each message exactly once, whatever the clocks say."""

from __future__ import annotations

from typing import IO

import pytest

from fsjobstore import layout
from fsjobstore.jobstore import FsspecJobStore


def collect(store: FsspecJobStore, read_all: bool = False) -> list[bytes]:
    seen: list[bytes] = []

    def callback(stream: IO[bytes]) -> None:
        seen.append(stream.read())

    count = store.read_logs(callback, read_all=read_all)
    assert count == len(seen)
    return seen


def test_each_message_once_then_all_with_read_all(store: FsspecJobStore) -> None:
    for i in range(5):
        store.write_logs(f"message {i}")
    assert sorted(collect(store)) == [f"message {i}".encode() for i in range(5)]
    assert collect(store) == []
    store.write_logs("late")
    assert collect(store) == [b"late"]
    assert len(collect(store, read_all=True)) == 6
    assert collect(store) == []


def test_clock_skew_does_not_hide_messages(store: FsspecJobStore) -> None:
    """A writer whose clock runs behind still gets its message delivered."""
    store.write_logs("now")
    assert collect(store) == [b"now"]
    # A message named as if written long ago (a writer with a slow clock).
    store.storage.write_bytes(f"{layout.LOGS}/19700101T000000000000Z-{'0' * 32}.log", b"old")
    assert collect(store) == [b"old"]


def test_failed_callback_redelivers_only_undelivered(store: FsspecJobStore) -> None:
    for i in range(3):
        store.write_logs(f"m{i}")
    seen: list[bytes] = []

    def flaky(stream: IO[bytes]) -> None:
        data = stream.read()
        if len(seen) == 1:
            raise RuntimeError("callback failed")
        seen.append(data)

    with pytest.raises(RuntimeError):
        store.read_logs(flaky)
    rest = collect(store)
    assert len(seen) + len(rest) == 3
    assert sorted(seen + rest) == [b"m0", b"m1", b"m2"]
