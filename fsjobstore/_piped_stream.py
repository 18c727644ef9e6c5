"""Read streams that get a file descriptor when asked for one.

Toil's own stores hand out streams with a descriptor (an open file, or the
read end of a pipe a thread downloads into), and a job may give one to a
subprocess as its standard input.  Streams of remote objects here are Python
objects; :class:`PipedOnDemand` gives them a descriptor the same way, and only
when ``fileno()`` is called: a thread then copies the rest of the stream into a
pipe, and reads come from the pipe, so the object and the descriptor agree on
the position.  A failure of the copy is raised when the stream is closed (a
reader of the descriptor sees the end of the data early).
"""

from __future__ import annotations

import io
import os
import threading
from typing import IO, Any, cast

__all__ = ["PipedOnDemand", "with_descriptor"]

_CHUNK = 1024 * 1024


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
        self._pump: threading.Thread | None = None
        self._failure: BaseException | None = None

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
            self._pump = threading.Thread(
                target=self._copy, args=(source, write_end), name="fsjobstore-pipe",
                daemon=True)
            self._pump.start()
        return self._pipe.fileno()

    def _copy(self, source: IO[bytes], write_end: int) -> None:
        try:
            with open(write_end, "wb") as out:
                while chunk := source.read(_CHUNK):
                    out.write(chunk)
        except BrokenPipeError:
            pass  # the reader closed its end: nothing more is wanted
        except BaseException as exc:  # raised again by close()
            self._failure = exc

    def close(self) -> None:
        if self.closed:
            return
        try:
            if self._pipe is not None:
                self._pipe.close()  # a copy still writing stops with EPIPE
            if self._pump is not None:
                self._pump.join()
        finally:
            self._inner.close()
            super().close()
        if self._failure is not None:
            raise self._failure
