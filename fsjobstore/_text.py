"""Text streams over the store's binary streams."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import IO, Any, cast

__all__ = ["text_stream"]


@contextlib.contextmanager
def text_stream(
    stream: IO[bytes], encoding: str | None, errors: str | None, *, reading: bool = False
) -> Iterator[IO[Any]]:
    """*stream* itself, or a text wrapper over it that never closes it."""
    if encoding is None:
        yield stream
        return
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
