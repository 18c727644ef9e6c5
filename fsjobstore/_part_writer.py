"""Writing an object from a stream in parts: no local spool, bounded memory, atomic.

A stream that ends within one part is stored with one request.  A longer one
becomes an upload whose parts are sent while the caller goes on writing (a few
at a time, so memory stays bounded); the object appears only when the upload is
completed, so readers see the old version or the new one.  A stream that is
discarded, or whose upload fails, stores nothing.  Each backend's writer
(:mod:`fsjobstore._s3_writer`, :mod:`fsjobstore._azure_writer`,
:mod:`fsjobstore._gcs_writer`, :mod:`fsjobstore._rename_writer`) says what its
upload is and what a process killed mid-stream leaves behind; the last two write
their parts in order through one file object (:mod:`fsjobstore._sequential_writer`).
"""

from __future__ import annotations

import contextlib
import io
import shutil
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import AbstractContextManager
from typing import IO, TYPE_CHECKING, ClassVar

from fsjobstore.errors import FsJobStoreError

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["PartWriter"]


class PartWriter(io.BufferedIOBase):
    """A write-only, non-seekable binary stream that becomes one object.

    Nothing is stored until :meth:`commit`; :meth:`discard` throws the stream
    away (either closes the stream).  *errors* is entered around every request
    the stream makes, to translate its failures.  At most *parallel* parts are
    in flight at once, each of *part_size* bytes (more past
    :attr:`parts_per_step` parts).
    """

    #: Most parts an upload may have; ``None``: no limit.
    max_parts: ClassVar[int | None] = None
    #: With a part limit, every this many parts the part size grows by the first
    #: part size, so the upload reaches far further before the limit (8 MiB parts
    #: and 10,000 parts: about 430 GiB).
    parts_per_step: ClassVar[int] = 1000

    def __init__(self, *, part_size: int, parallel: int,
                 errors: AbstractContextManager[None]) -> None:
        super().__init__()
        self._first_part_size = part_size
        self._part_size = part_size
        self._parallel = parallel
        self._errors = errors
        self._buffer = bytearray()
        self._position = 0
        self._started = False
        self._in_flight: dict[Future[str], int] = {}
        #: What each stored part's upload answered (an ETag, a block ID), by number.
        self._parts: dict[int, str] = {}
        #: A part failed: its bytes are gone, so nothing written since may be stored.
        self._failed = False
        #: That failure, translated: what a refused write or commit repeats.
        self._failure: FsJobStoreError | None = None

    # -- the stream ------------------------------------------------------------

    def writable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def write(self, data: ReadableBuffer) -> int:
        if self.closed:
            raise ValueError("write to a closed stream")
        self._refuse_if_failed()
        view = memoryview(data).cast("B")
        self._buffer += view
        self._position += len(view)
        # A part is sent only once a byte follows it, so the last part (which
        # may be short) is the one commit sends, and it is never empty.
        while len(self._buffer) > self._part_size:
            with memoryview(self._buffer) as whole:
                part = bytes(whole[: self._part_size])  # one copy, not two
            del self._buffer[: self._part_size]  # O(1): bytearray drops its head in place
            try:
                self._send_part(part)
            except BaseException as exc:
                self._failed = True  # a caller that catches this and writes on is refused
                if isinstance(exc, FsJobStoreError):
                    self._failure = exc
                raise
        return len(view)

    def _refuse_if_failed(self) -> None:
        if self._failure is not None:  # no request (translating asks the backend)
            raise type(self._failure)(
                f"{self._failure} (an earlier part of this stream failed; nothing is stored)"
            ) from None
        if self._failed:
            with self._errors:
                raise OSError("an earlier part of this stream failed; nothing is stored")

    # -- the object ------------------------------------------------------------

    def commit(self) -> None:
        """Store what was written as the object (one request, or the upload's end)."""
        self.close()  # closing alone stores nothing: a caller may close inside the block
        if self._failed:
            with contextlib.suppress(Exception):
                self._cancel()
            self._refuse_if_failed()
        last, self._buffer = bytes(self._buffer), bytearray()
        with self._errors:
            if not self._started:
                self._put(last)
                return
            try:
                self._wait_until(0)
                parts = [answer for _, answer in sorted(self._parts.items())]
                self._complete(last, self._next_number(), parts)
            except BaseException:
                # The failure is what the caller must see.
                with contextlib.suppress(Exception):
                    self._cancel()
                raise

    def store_from(self, source: IO[bytes], chunk: int) -> None:
        """Copy all of *source* into the stream and :meth:`commit`; if the copy
        fails, :meth:`discard` (nothing is stored) and raise."""
        try:
            shutil.copyfileobj(source, self, chunk)
        except BaseException:
            self.discard()
            raise
        self.commit()

    def discard(self) -> None:
        """Store nothing: cancel the upload, if one was started.  Never raises."""
        self.close()
        self._buffer = bytearray()
        with contextlib.suppress(Exception):
            self._cancel()

    # -- parts -----------------------------------------------------------------

    def _send_part(self, data: bytes) -> None:
        with self._errors:
            if not self._started:
                self._start()
                self._started = True
            self._wait_until(self._parallel - 1)
            number = self._next_number()
            self._in_flight[self._submit(number, data)] = number
        if self.max_parts is not None and number % self.parts_per_step == 0:
            self._part_size += self._first_part_size

    def _next_number(self) -> int:
        number = len(self._parts) + len(self._in_flight) + 1
        if self.max_parts is not None and number > self.max_parts:
            raise OSError(f"stream too long: more than {self.max_parts} parts")
        return number

    def _wait_until(self, most: int) -> None:
        """Wait until at most *most* parts are in flight; raise the first failure."""
        while len(self._in_flight) > most:
            done, _ = wait(self._in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                number = self._in_flight.pop(future)
                self._parts[number] = future.result()

    def _cancel(self) -> None:
        for future in self._in_flight:
            future.cancel()
        wait(self._in_flight)
        self._in_flight.clear()
        if self._started:
            self._started = False
            self._abort()

    # -- what each backend does --------------------------------------------------

    def _put(self, data: bytes) -> None:
        """Store *data* as the object in one request (the stream fit in one part)."""
        raise NotImplementedError

    def _start(self) -> None:
        """Begin the upload, before its first part is sent."""
        raise NotImplementedError

    def _submit(self, number: int, data: bytes) -> Future[str]:
        """Send part *number*; the future answers what completing needs of it."""
        raise NotImplementedError

    def _complete(self, last: bytes, number: int, parts: list[str]) -> None:
        """Send the *last* part (numbered *number*, never empty), then make the
        object of every part (*parts*: what :meth:`_submit` answered, in order)."""
        raise NotImplementedError

    def _abort(self) -> None:
        """Give up the upload (its parts sent so far must never become the object)."""
        raise NotImplementedError
