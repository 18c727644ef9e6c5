"""Read streams that get a file descriptor when asked for one.

Toil's own stores hand out streams with a descriptor (an open file, or the
read end of a pipe a thread downloads into), and a job may give one to a
subprocess as its standard input.  Streams of remote objects here are Python
objects; :class:`PipedOnDemand` gives them a descriptor the same way, and only
when ``fileno()`` is called: a thread then copies the rest of the stream into a
pipe, and reads come from the pipe, so the object and the descriptor agree on
the position.  Closing the stream does not wait for the copy (a subprocess may
still be reading the pipe); a failure of the copy (the reader of the descriptor
sees the data end early) is raised by ``close()`` when it came first, and
logged in any case.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
from typing import IO, Any, cast

from fsjobstore._redact import redacting_logger

__all__ = ["PipedOnDemand", "with_descriptor"]

_CHUNK = 1024 * 1024
logger = redacting_logger(__name__)


def with_descriptor(stream: IO[bytes]) -> IO[bytes]:
    """*stream* if it has a descriptor already, else a :class:`PipedOnDemand` over it."""
    try:
        stream.fileno()
    except (OSError, AttributeError, ValueError):  # io.UnsupportedOperation is both
        return cast(IO[bytes], PipedOnDemand(stream))
    return stream


class PipedOnDemand(io.BufferedIOBase):
    """*inner*, read through; ``fileno()`` moves what is left of it into a pipe."""

    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner
        self._pipe: IO[bytes] | None = None
        self._copy: _Copy | None = None

    def _source(self) -> IO[bytes]:
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        return self._inner if self._pipe is None else self._pipe

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._pipe is None and self._inner.seekable()

    def read(self, size: int | None = -1) -> bytes:
        return self._source().read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        source: Any = self._source()
        return bytes(source.read1(size) if hasattr(source, "read1") else source.read(size))

    def readinto(self, buffer: Any) -> int:
        source: Any = self._source()
        return int(source.readinto(buffer))

    def readline(self, size: int | None = -1) -> bytes:
        source = self._source()
        if size is None or size < 0:
            return source.readline()
        try:
            return source.readline(size)
        except TypeError:  # fsspec's buffered files (FTP's, say) take no size
            line = bytearray()
            while len(line) < size and (byte := source.read(1)):
                line += byte
                if byte == b"\n":
                    break
            return bytes(line)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if self._pipe is not None:
            raise io.UnsupportedOperation("seek: the stream now reads from a pipe")
        return self._source().seek(offset, whence)

    def tell(self) -> int:
        if self._pipe is not None:
            raise io.UnsupportedOperation("tell: the stream now reads from a pipe")
        return self._source().tell()

    def fileno(self) -> int:
        if self._pipe is None:
            source = self._source()
            read_end, write_end = os.pipe()
            self._pipe = open(read_end, "rb")  # noqa: SIM115 - closed in close()
            # The thread owns the inner stream from now on and closes it: it holds
            # no reference to this object, which may be closed (or collected)
            # while a subprocess still reads the pipe.
            self._copy = _Copy()
            self._copy.thread = threading.Thread(
                target=_copy, args=(source, write_end, self._copy), name="fsjobstore-pipe",
                daemon=True)
            self._copy.thread.start()
        return self._pipe.fileno()

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._pipe is None:
                self._inner.close()
            else:
                # A copy still writing stops when no process holds the read end
                # (EPIPE); a subprocess given the descriptor may still read it,
                # so the copy is not waited for.
                self._pipe.close()
        finally:
            super().close()
        if self._copy is not None and self._copy.failure is not None:
            raise self._copy.failure


class _Copy:
    """The thread copying a stream into a pipe, and how it failed (if it did)."""

    thread: threading.Thread
    failure: BaseException | None = None


def _copy(source: IO[bytes], write_end: int, state: _Copy) -> None:
    out = open(write_end, "wb")  # noqa: SIM115 - closed below, after a failure is recorded
    try:
        while chunk := source.read(_CHUNK):
            out.write(chunk)
    except BrokenPipeError:
        pass  # every reader closed its end: nothing more is wanted
    except BaseException as exc:
        # Recorded before the pipe ends, so a reader that saw its end and then
        # closes the stream gets the failure.
        state.failure = exc
        logger.error("copying a read stream into its pipe failed: the reader of its "
                     "descriptor saw the data end early: %s", exc)
    finally:
        with contextlib.suppress(Exception):
            out.close()
        with contextlib.suppress(Exception):
            source.close()
