"""Text streams over the store's binary streams."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import IO, Any, cast

__all__ = ["text_stream"]


def text_stream(
    stream: IO[bytes], encoding: str | None, errors: str | None, *, reading: bool = False
) -> contextlib.AbstractContextManager[IO[Any]]:
    """*stream* itself, or a text wrapper over it that never closes it.

    Without an encoding (the common case, on every read and write of a stream)
    this is a plain ``nullcontext``, not another generator.
    """
    if encoding is None:
        return contextlib.nullcontext(stream)
    return _wrapped(stream, encoding, errors, reading=reading)


@contextlib.contextmanager
def _wrapped(
    stream: IO[bytes], encoding: str, errors: str | None, *, reading: bool
) -> Iterator[IO[Any]]:
    wrapper = io.TextIOWrapper(
        cast(Any, stream), encoding=encoding, errors=errors or "strict",
        write_through=not reading,
    )
    try:
        yield wrapper
    finally:
        if not reading:
            wrapper.flush()
        wrapper.detach()
