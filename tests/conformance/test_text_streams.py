"""Text write streams (an ``encoding``) behave as binary ones: the caller may close
them inside the ``with`` block, and what was written is stored."""

from __future__ import annotations

from typing import IO, cast

from fsjobstore.jobstore import FsspecJobStore


def test_a_text_stream_closed_inside_the_block_is_stored(store: FsspecJobStore) -> None:
    with store.write_file_stream(encoding="utf-8") as (f, file_id):
        f.write("première\n")
        f.close()
    with store.read_file_stream(file_id) as r:
        assert r.read() == "première\n".encode()
    with store.update_file_stream(file_id, encoding="utf-8") as f:
        f.write("seconde\n")
        f.close()
    with store.read_file_stream(file_id, encoding="utf-8") as r:
        assert r.read() == "seconde\n"


def test_a_shared_text_stream_closed_inside_the_block_is_stored(store: FsspecJobStore) -> None:
    with store.write_shared_file_stream("notes.txt", encoding="utf-8") as f:
        cast(IO[str], f).write("partagé\n")  # Toil types the stream as binary
        f.close()
    with store.read_shared_file_stream("notes.txt", encoding="utf-8") as r:
        assert r.read() == "partagé\n"
