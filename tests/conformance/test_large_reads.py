"""Reading files larger than one request: whole, in pieces, with seeks, on every backend."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from toil.common import Config

from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.storage import SMALL_OBJECT
from tests.conformance._counting import RequestCounter
from tests.servers import Backend

SIZE = SMALL_OBJECT + 3 * 1024 * 1024 + 17


@pytest.fixture(scope="module")
def content() -> bytes:
    return os.urandom(SIZE)


@pytest.fixture
def large_file(store: FsspecJobStore, content: bytes, tmp_path: Path) -> str:
    local = tmp_path / "large.bin"
    local.write_bytes(content)
    return store.write_file(str(local))


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
def s3_store(s3_backend: Backend) -> Iterator[FsspecJobStore]:
    store = FsspecJobStore(s3_backend.new_url(), **s3_backend.storage_options)
    store.initialize(Config())
    yield store
    store.destroy()


def _range_bounds(header: str | bytes | None, size: int) -> tuple[int, int]:
    """(first, last + 1) of a ``bytes=a-b`` or ``bytes=a-`` Range (None: whole object)."""
    if header is None:
        return 0, size
    text = header.decode() if isinstance(header, bytes) else header
    first, _, last = text.removeprefix("bytes=").partition("-")
    return int(first), min(size, int(last) + 1) if last else size


def test_s3_large_reads_fetch_each_byte_once(
    s3_store: FsspecJobStore, content: bytes, tmp_path: Path
) -> None:
    size = SIZE
    local = tmp_path / "large.bin"
    local.write_bytes(content)
    file_id = s3_store.write_file(str(local))
    with RequestCounter(s3_store.storage.fs) as counter:
        s3_store.read_file(file_id, str(tmp_path / "copy"))
    assert counter.by_operation == {"GetObject": 1}  # one streaming GET, as fs.get_file
    assert (tmp_path / "copy").read_bytes() == content
    fs = s3_store.storage.fs
    with RequestCounter(fs) as counter, s3_store.read_file_stream(file_id) as f:
        assert f.read() == content
    # The first ranged GET's bytes are kept: the rest is read from where it stopped.
    assert counter.by_operation["HeadObject"] <= 1, counter.by_operation
    spans = sorted(_range_bounds(r, size) for r in counter.get_ranges)
    assert spans[0] == (0, SMALL_OBJECT)
    assert sum(end - start for start, end in spans) == size, spans
