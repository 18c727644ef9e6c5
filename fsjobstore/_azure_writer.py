"""Writing an Azure blob from a stream: blocks staged as they are written.

A stream that ends within one part is one Put Blob.  A longer one stages each
part as a block (a few in flight at once); the blob appears, or changes, only
when Put Block List commits them.  A discarded or failed stream commits
nothing: its staged blocks are never part of the blob, and Azure deletes
uncommitted blocks after a week, or when the blob is next committed.  The same
holds for a process killed mid-stream.  Two streams onto one blob at once: the
first to commit stands, and the other fails, as its blocks are gone.
"""

from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import Any

from fsjobstore._part_writer import PartWriter

__all__ = ["AzureWriter"]

#: What adlfs marks every file blob with (its pipe_file and put_file do too).
_METADATA = {"is_directory": "false"}


class AzureWriter(PartWriter):
    """A :class:`~fsjobstore._part_writer.PartWriter` onto the blob *path* of *fs* (adlfs)."""

    max_parts = 50_000  # committed blocks per blob

    def __init__(self, fs: Any, path: str, *, part_size: int, parallel: int,
                 errors: AbstractContextManager[None]) -> None:
        super().__init__(part_size=part_size, parallel=parallel, errors=errors)
        self._fs = fs
        self._path = path
        self._container, self._blob, _ = fs.split_path(path)

    def _put(self, data: bytes) -> None:
        self._fs.pipe_file(self._path, data)

    def _start(self) -> None:
        pass  # blocks need no upload to belong to

    def _submit(self, number: int, data: bytes) -> Future[str]:
        return asyncio.run_coroutine_threadsafe(self._stage(data), self._fs.loop)

    async def _stage(self, data: bytes) -> str:
        block_id = uuid.uuid4().hex  # every block ID of a blob has the same length
        async with self._client() as blob:
            await blob.stage_block(block_id=block_id, data=data, length=len(data),
                                   **self._timeouts())
        return block_id

    def _complete(self, last: bytes, number: int, parts: list[str]) -> None:
        from azure.storage.blob import BlobBlock

        block_ids = [*parts, self._submit(number, last).result()]

        from azure.core.exceptions import HttpResponseError

        async def commit() -> None:
            async with self._client() as blob:
                await blob.commit_block_list([BlobBlock(i) for i in block_ids],
                                             metadata=_METADATA, **self._timeouts())

        try:
            asyncio.run_coroutine_threadsafe(commit(), self._fs.loop).result()
        except HttpResponseError as exc:
            if getattr(exc, "error_code", None) != "InvalidBlockList":
                raise
            raise OSError(
                "another writer stored this blob while the stream was written (Azure "
                "drops a blob's uncommitted blocks when it is committed): the other "
                "version stands, this one was not stored"
            ) from None

    def _abort(self) -> None:
        pass  # nothing committed; Azure deletes the staged blocks (module docstring)

    def _timeouts(self) -> dict[str, Any]:
        return dict(getattr(self._fs, "_timeout_kwargs", {}))  # adlfs's timeout= option

    def _client(self) -> Any:
        return self._fs.service_client.get_blob_client(self._container, self._blob)
