"""Reading files larger than one request: whole, in pieces, with seeks, on every backend."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from fsjobstore import _s3_stream
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.storage import SMALL_OBJECT
from tests.conformance._counting import RequestCounter

SIZE = SMALL_OBJECT + 3 * 1024 * 1024 + 17


@pytest.fixture(scope="module")
def content() -> bytes:
    return os.urandom(SIZE)


def _write(store: FsspecJobStore, content: bytes, tmp_path: Path) -> str:
    local = tmp_path / "large.bin"
    local.write_bytes(content)
    return store.write_file(str(local))


@pytest.fixture
def large_file(store: FsspecJobStore, content: bytes, tmp_path: Path) -> str:
    return _write(store, content, tmp_path)


def test_stream_reads_whole_and_in_pieces(
    store: FsspecJobStore, large_file: str, content: bytes
) -> None:
    with store.read_file_stream(large_file) as f:
        assert f.read() == content
    pieces = []
    with store.read_file_stream(large_file) as f:
        while piece := f.read(3 * 1024 * 1024 + 1):  # pieces that straddle the first request
            pieces.append(piece)
    assert b"".join(pieces) == content


def test_stream_seeks_across_the_first_request(
    store: FsspecJobStore, large_file: str, content: bytes
) -> None:
    with store.read_file_stream(large_file) as f:
        for position in (SMALL_OBJECT + 5, 10, SMALL_OBJECT - 3, SIZE - 4):
            assert f.seek(position) == position
            assert f.read(7) == content[position : position + 7]
        assert f.seek(-9, io.SEEK_END) == SIZE - 9
        assert f.read() == content[-9:]


def test_read_file_copies_large_files(
    store: FsspecJobStore, large_file: str, content: bytes, tmp_path: Path
) -> None:
    store.read_file(large_file, str(tmp_path / "copy"))
    assert (tmp_path / "copy").read_bytes() == content


@pytest.fixture
def s3_large_file(s3_store: FsspecJobStore, content: bytes, tmp_path: Path) -> str:
    return _write(s3_store, content, tmp_path)


def test_s3_reads_take_one_get_whatever_the_size(
    s3_store: FsspecJobStore, s3_large_file: str, content: bytes, tmp_path: Path
) -> None:
    file_id = s3_large_file
    fs = s3_store.storage.fs
    with RequestCounter(fs) as counter:
        s3_store.read_file(file_id, str(tmp_path / "copy"))
    assert counter.by_operation == {"GetObject": 1}  # one streaming GET, as fs.get_file
    assert (tmp_path / "copy").read_bytes() == content
    with RequestCounter(fs) as counter, s3_store.read_file_stream(file_id) as f:
        assert f.read(5) == content[:5]
        assert f.read() == content[5:]
    assert counter.by_operation == {"GetObject": 1}
    assert counter.get_ranges == [None]


def test_s3_stream_resumes_after_a_broken_connection(
    s3_store: FsspecJobStore, s3_large_file: str, content: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_id = s3_large_file
    real_read = _s3_stream.read_body
    calls = 0

    def flaky(fs: object, body: object, size: int = -1) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise ConnectionResetError("injected: connection reset mid-body")
        return real_read(fs, body, size)

    monkeypatch.setattr(_s3_stream, "read_body", flaky)
    with RequestCounter(s3_store.storage.fs) as counter, s3_store.read_file_stream(file_id) as f:
        pieces = []
        while piece := f.read(1024 * 1024):
            pieces.append(piece)
    assert b"".join(pieces) == content
    assert counter.by_operation == {"GetObject": 2}
    resumed_at, end = _range_bounds(counter.get_ranges[1], SIZE)
    assert 0 < resumed_at < SIZE and end == SIZE  # read on from where it broke


def test_s3_stream_never_mixes_two_versions(
    s3_store: FsspecJobStore, s3_large_file: str, content: bytes, tmp_path: Path
) -> None:
    file_id = s3_large_file
    local = tmp_path / "other.bin"
    with s3_store.read_file_stream(file_id) as f:
        assert f.read(1024) == content[:1024]
        local.write_bytes(bytes(SIZE))  # the same size, other bytes
        s3_store.update_file(file_id, str(local))
        f.seek(SMALL_OBJECT)  # the next read must open the object again
        with pytest.raises(OSError):
            f.read(1024)


def _range_bounds(header: str | bytes | None, size: int) -> tuple[int, int]:
    """(first, last + 1) of a ``bytes=a-b`` or ``bytes=a-`` Range (None: whole object)."""
    if header is None:
        return 0, size
    text = header.decode() if isinstance(header, bytes) else header
    first, _, last = text.removeprefix("bytes=").partition("-")
    return int(first), min(size, int(last) + 1) if last else size
