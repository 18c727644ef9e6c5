"""Read streams have a file descriptor, as Toil's own stores' streams do: a job may
give one to a subprocess as its standard input."""

from __future__ import annotations

import gc
import io
import os
import subprocess
from typing import IO, Any, cast

import pytest

from fsjobstore._piped_stream import PipedOnDemand
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.storage import SMALL_OBJECT


def _stored(store: FsspecJobStore, payload: bytes) -> str:
    with store.write_file_stream() as (f, file_id):
        f.write(payload)
    return str(file_id)


@pytest.mark.parametrize("size", [0, 5_000, SMALL_OBJECT + 12_345])
def test_a_subprocess_reads_the_stream_as_its_standard_input(
    store: FsspecJobStore, size: int
) -> None:
    payload = os.urandom(size)
    file_id = _stored(store, payload)
    with store.read_file_stream(file_id) as f:
        copied = subprocess.run(["cat"], stdin=f, capture_output=True, check=True).stdout
    assert copied == payload


def test_the_descriptor_starts_where_the_stream_is(store: FsspecJobStore) -> None:
    payload = b"".join(b"line %d\n" % i for i in range(1000))
    file_id = _stored(store, payload)
    with store.read_file_stream(file_id) as f:
        assert f.read(7) == b"line 0\n"
        rest = subprocess.run(["cat"], stdin=f, capture_output=True, check=True).stdout
    if store.storage.capabilities.local or store.storage.capabilities.name == "conservative":
        # An open file (FTP: the local temporary file the stream was read into):
        # its buffer had read ahead, as any Python file's does.
        assert payload.endswith(rest)
    else:
        assert rest == payload[7:]  # what the stream had read ahead is not lost


class _Broken(io.RawIOBase):
    """A stream whose second read fails (a connection lost mid-download)."""

    def __init__(self) -> None:
        self.reads = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.reads += 1
        if self.reads > 1:
            raise ConnectionResetError("injected: connection lost")
        memoryview(buffer)[:3] = b"abc"
        return 3


def test_a_failed_copy_into_the_pipe_is_raised_when_the_stream_closes() -> None:
    stream = PipedOnDemand(cast(IO[bytes], _Broken()))
    fd = stream.fileno()
    assert os.read(fd, 10) == b"abc"
    assert os.read(fd, 10) == b""  # the data ends early...
    with pytest.raises(ConnectionResetError, match="injected"):
        stream.close()  # ...and closing says why
    assert stream.closed


def test_the_block_s_own_error_is_not_replaced_by_the_copy_s(
    store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_id = _stored(store, b"abc")
    monkeypatch.setattr(store.storage, "open_read", lambda key: _Broken())
    with pytest.raises(KeyError, match="the job's own"), store.read_file_stream(file_id) as f:
        fd = f.fileno()
        while os.read(fd, 10):
            pass
        raise KeyError("the job's own error")


@pytest.mark.timeout(120)  # a hang is the failure
def test_a_subprocess_may_read_on_after_the_block(store: FsspecJobStore) -> None:
    # Closing the stream does not wait for the subprocess to read it all.
    payload = os.urandom(1024 * 1024 + 5)  # more than a pipe holds
    file_id = _stored(store, payload)
    with store.read_file_stream(file_id) as f:
        child = subprocess.Popen(["cat"], stdin=f, stdout=subprocess.PIPE)
    assert child.communicate()[0] == payload


@pytest.mark.timeout(120)  # a hang is the failure
@pytest.mark.parametrize("backend", ["memory", "s3", "gs", "az", "sftp"], indirect=True)
def test_a_stream_never_closed_lets_its_copy_end(store: FsspecJobStore) -> None:
    # (Not on local disk, whose stream is the open file itself, nor on FTP,
    # whose stream is the local temporary file it was read into.)
    file_id = _stored(store, os.urandom(1024 * 1024))
    stream = store.read_file_stream(file_id).__enter__()
    stream.fileno()
    copy = stream._copy.thread  # type: ignore[attr-defined]
    del stream
    gc.collect()
    copy.join()  # the pipe's read end went with the stream: the copy stops


def test_a_stream_reads_by_line(store: FsspecJobStore) -> None:
    # As Toil reads a job's log: `for line in stream` (fsspec's own file objects'
    # readline takes no size).
    payload = b"".join(b"line %d\n" % i for i in range(3000))
    file_id = _stored(store, payload)
    with store.read_file_stream(file_id) as f:
        assert f.readline() == b"line 0\n"
        assert f.readline(4) == b"line"
        assert b"".join(f) == payload[len(b"line 0\nline"):]
    with store.read_file_stream(file_id, encoding="utf-8") as text:
        assert sum(1 for _ in text) == 3000


@pytest.mark.parametrize("backend", ["file"], indirect=True)
def test_a_local_stream_is_named_by_its_path(store: FsspecJobStore) -> None:
    # As Toil's directory store's streams are: code that logs or stats .name gets a path.
    file_id = _stored(store, b"named")
    with store.read_file_stream(file_id) as f:
        assert isinstance(f.name, str)
        assert os.path.samefile(f.name, store.storage.path(file_id))
        with open(f.name, "rb") as again:
            assert again.read() == b"named"
