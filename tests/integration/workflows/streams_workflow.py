"""A Toil workflow that passes a file larger than one upload part as a stream.

``python streams_workflow.py --jobStore LOCATOR SIZE OUTPUT_PATH``: the first
job writes SIZE reproducible bytes through ``writeGlobalFileStream`` in 1 MiB
writes; the second reads them back through ``readGlobalFileStream`` and writes
``<size> <sha256>`` to OUTPUT_PATH.  Runs as a script only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from toil.common import Toil
from toil.fileStores import FileID
from toil.job import Job


def content(size: int) -> bytes:
    """The bytes the workflow passes: a SHA-256 chain, so no two MiB are alike."""
    blocks: list[bytes] = []
    digest, made = b"seed", 0
    while made < size:
        digest = hashlib.sha256(digest).digest()
        blocks.append(digest * 1024)
        made += len(blocks[-1])
    return b"".join(blocks)[:size]


def produce(job: Job, size: int) -> FileID:
    data = content(size)
    with job.fileStore.writeGlobalFileStream() as (stream, file_id):
        for start in range(0, size, 1 << 20):
            stream.write(data[start : start + (1 << 20)])
    return file_id


def consume(job: Job, file_id: FileID, output: str) -> None:
    digest, size = hashlib.sha256(), 0
    with job.fileStore.readGlobalFileStream(file_id) as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    Path(output).write_text(f"{size} {digest.hexdigest()}\n", encoding="utf-8")


def main() -> None:
    parser = Job.Runner.getDefaultArgumentParser(jobstore_as_flag=True)
    parser.add_argument("size", type=int)
    parser.add_argument("output")
    options: Any = parser.parse_args()
    first = Job.wrapJobFn(produce, options.size)
    first.addFollowOnJobFn(consume, first.rv(), options.output)
    with Toil(options) as toil:
        toil.start(first)


if __name__ == "__main__":
    main()
