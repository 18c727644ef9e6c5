"""Helpers of the write-stream tests: reproducible content, written and read through the store."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from fsjobstore.jobstore import FsspecJobStore
from tests.servers import Backend

_WRITER = Path(__file__).with_name("_stream_writer.py")
_REPO = Path(__file__).resolve().parents[2]


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


def kill_mid_stream(backend: Backend, store: FsspecJobStore, file_id: str) -> None:
    """Overwrite *file_id* through ``update_file_stream`` in another process and
    kill it (SIGKILL) once the stream's first part is stored."""
    env = {**os.environ, **backend.env, "PYTHONPATH": str(_REPO)}
    url = store.locator.removeprefix("fsspec:")
    options = json.dumps(backend.storage_options)
    writer = subprocess.Popen(
        [sys.executable, str(_WRITER), url, options, file_id],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )
    assert writer.stdout is not None and writer.stdin is not None
    try:
        assert writer.stdout.readline() == "sent\n"
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
        writer.stdout.close()
        writer.stdin.close()
