"""Helpers of the write-stream tests: reproducible content, written and read through the store."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from fsjobstore.jobstore import FsspecJobStore


def chunks(size: int, seed: bytes) -> Iterator[bytes]:
    """*size* bytes of reproducible content, in 1 MiB pieces."""
    block = hashlib.sha256(seed).digest() * (1024 * 1024 // 32)
    while size > 0:
        yield block[:size]
        size -= len(block)


def content(size: int, seed: bytes) -> bytes:
    return b"".join(chunks(size, seed))


def write(store: FsspecJobStore, size: int, seed: bytes = b"a") -> str:
    """A new file of *size* bytes, written through ``write_file_stream``; its ID."""
    with store.write_file_stream() as (f, file_id):
        for piece in chunks(size, seed):
            f.write(piece)
    return str(file_id)


def read(store: FsspecJobStore, file_id: str) -> bytes:
    with store.read_file_stream(file_id) as f:
        return bytes(f.read())
