"""Text writers over the store's binary write streams."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import IO, Any, cast

__all__ = ["text_stream"]


def text_stream(
    stream: IO[bytes], encoding: str | None, errors: str | None
) -> contextlib.AbstractContextManager[IO[Any]]:
    """*stream* itself, or a text writer over it that never closes it.

    Without an encoding (the common case, on every write of a stream) this is a
    plain ``nullcontext``, not another generator.
    """
    if encoding is None:
        return contextlib.nullcontext(stream)
    return _wrapped(stream, encoding, errors)


@contextlib.contextmanager
def _wrapped(stream: IO[bytes], encoding: str, errors: str | None) -> Iterator[IO[Any]]:
    wrapper = io.TextIOWrapper(
        cast(Any, stream), encoding=encoding, errors=errors or "strict", write_through=True
    )
    try:
        yield wrapper
    finally:
        # The caller may close the writer inside the block, as with a binary
        # stream; that closes the store's stream too, which then commits.
        if not wrapper.closed:
            wrapper.flush()
            wrapper.detach()
