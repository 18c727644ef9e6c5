"""The part-slicing logic every part writer shares (fsjobstore/_part_writer.py),
on a writer whose "backend" keeps the parts in memory (the real backends are
tested against their servers in tests/conformance/)."""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fsjobstore._part_writer import PartWriter

PART = 16


class Recording(PartWriter):
    """Parts go to a thread pool (so they finish in any order); the object is
    what :meth:`_complete` assembles from the answers, in order."""

    def __init__(self, parallel: int) -> None:
        super().__init__(part_size=PART, parallel=parallel, errors=contextlib.nullcontext())
        self.pool = ThreadPoolExecutor(max_workers=4)
        self.sent: dict[int, bytes] = {}
        self.most_in_flight = 0
        self.calls: list[str] = []
        self.stored: bytes | None = None

    def _put(self, data: bytes) -> None:
        self.calls.append("put")
        self.stored = data

    def _start(self) -> None:
        self.calls.append("start")

    def _submit(self, number: int, data: bytes) -> Future[str]:
        self.calls.append("part")
        self.most_in_flight = max(self.most_in_flight, len(self._in_flight) + 1)

        def send() -> str:
            self.sent[number] = data
            return str(number)

        return self.pool.submit(send)

    def _complete(self, last: bytes, number: int, parts: list[str]) -> None:
        self.calls.append("complete")
        assert parts == [str(n) for n in range(1, number)]
        self.stored = b"".join(self.sent[n] for n in range(1, number)) + last

    def _abort(self) -> None:
        self.calls.append("abort")


@settings(max_examples=200, deadline=None)
@given(writes=st.lists(st.binary(max_size=3 * PART + 3), max_size=12),
       parallel=st.integers(min_value=1, max_value=3))
def test_what_is_written_is_what_is_stored(writes: list[bytes], parallel: int) -> None:
    writer = Recording(parallel)
    for data in writes:
        assert writer.write(data) == len(data)
    writer.commit()
    writer.pool.shutdown()
    data = b"".join(writes)
    assert writer.stored == data
    assert writer.tell() == len(data)
    if len(data) <= PART:  # one request: the whole object
        assert writer.calls == ["put"]
    else:  # full parts while writing, the rest (never empty) at commit
        parts = -(-len(data) // PART)
        assert writer.calls == ["start"] + ["part"] * (parts - 1) + ["complete"]
        assert all(len(part) == PART for part in writer.sent.values())
        assert writer.most_in_flight <= parallel


def test_discard_stores_nothing_and_aborts_a_started_upload() -> None:
    small, large = Recording(2), Recording(2)
    small.write(b"x" * PART)
    small.discard()
    large.write(b"x" * (2 * PART + 1))
    large.discard()
    assert small.calls == [] and small.stored is None
    assert large.calls == ["start", "part", "part", "abort"] and large.stored is None
    with pytest.raises(ValueError, match="closed"):
        large.write(b"more")


def test_a_failed_part_fails_the_commit_and_aborts() -> None:
    class Failing(Recording):
        def _submit(self, number: int, data: bytes) -> Future[str]:
            future: Future[str] = Future()
            future.set_exception(ConnectionResetError(f"part {number}"))
            return future

    writer = Failing(1)
    with pytest.raises(ConnectionResetError, match="part 1"):
        writer.write(b"x" * (3 * PART))  # part 2 waits for part 1, which failed
    writer.discard()
    assert writer.calls == ["start", "abort"]


def test_writes_after_a_failed_part_are_refused_and_nothing_is_stored() -> None:
    # A caller that catches the failure and writes on (a retrying copy loop)
    # must not get an object without the failed part.
    class FailingOnce(Recording):
        def _submit(self, number: int, data: bytes) -> Future[str]:
            if number != 1:
                return super()._submit(number, data)
            future: Future[str] = Future()
            future.set_exception(ConnectionResetError(f"part {number}"))
            return future

    writer = FailingOnce(1)
    with pytest.raises(ConnectionResetError, match="part 1"):
        writer.write(b"a" * (2 * PART + 1))  # part 2 waits for part 1, which failed
    with pytest.raises(OSError, match="an earlier part of this stream failed"):
        writer.write(b"b" * PART)
    with pytest.raises(OSError, match="an earlier part of this stream failed"):
        writer.commit()
    writer.pool.shutdown()
    assert writer.stored is None
    assert "complete" not in writer.calls
    assert writer.calls[-1] == "abort"
