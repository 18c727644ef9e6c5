"""Fan-out/fan-in Toil workflow: the example for ``--jobStore fsspec:<url>``.

Imports an input file from a URL, splits its lines into ``--chunks`` pieces,
upper-cases each piece in its own job, and combines the pieces (files and
promised line counts) in a fan-in job.  The result is exported to an output
URL.  Run::

    python examples/fanout.py --jobStore fsspec:file://$PWD/.demo/jobstore \\
        file://$PWD/examples/input.txt file://$PWD/.demo/result.txt
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from toil.common import Toil
from toil.fileStores import FileID
from toil.fileStores.abstractFileStore import AbstractFileStore
from toil.job import Job, Promise


def expected_output(text: str, chunks: int) -> str:
    """What the workflow writes for input *text* split into *chunks* pieces."""
    lines = text.splitlines(keepends=True)
    return "".join(line.upper() for line in lines) + f"# {len(lines)} lines in {chunks} chunks\n"


def split(lines: list[str], chunks: int) -> list[list[str]]:
    """*lines* in *chunks* contiguous pieces whose sizes differ by at most one."""
    size, extra = divmod(len(lines), chunks)
    out, start = [], 0
    for index in range(chunks):
        end = start + size + (1 if index < extra else 0)
        out.append(lines[start:end])
        start = end
    return out


def transform(job: Job, chunk_id: FileID) -> tuple[FileID, int]:
    """Upper-case one chunk; return the new file and its line count."""
    store: AbstractFileStore = job.fileStore
    with store.readGlobalFileStream(chunk_id, encoding="utf-8") as stream:
        lines = stream.read().splitlines(keepends=True)
    with store.writeGlobalFileStream(encoding="utf-8") as (out, out_id):
        out.write("".join(line.upper() for line in lines))
    return out_id, len(lines)


def combine(job: Job, parts: list[tuple[FileID, int]], chunks: int) -> FileID:
    """Concatenate the transformed chunks in order and append a summary line."""
    store: AbstractFileStore = job.fileStore
    total = sum(count for _, count in parts)
    with store.writeGlobalFileStream(encoding="utf-8") as (out, out_id):
        for part_id, _ in parts:
            with store.readGlobalFileStream(part_id, encoding="utf-8") as stream:
                out.write(stream.read())
        out.write(f"# {total} lines in {chunks} chunks\n")
    return out_id


def fan_out(job: Job, input_id: FileID, chunks: int) -> Promise:
    """Split the input, start one transform job per chunk, and a fan-in job after them."""
    store: AbstractFileStore = job.fileStore
    with store.readGlobalFileStream(input_id, encoding="utf-8") as stream:
        lines = stream.read().splitlines(keepends=True)
    promises = []
    for piece in split(lines, chunks):
        with store.writeGlobalFileStream(encoding="utf-8") as (out, chunk_id):
            out.write("".join(piece))
        promises.append(job.addChildJobFn(transform, chunk_id, memory="100M", disk="10M").rv())
    return job.addFollowOnJobFn(combine, promises, chunks, memory="100M", disk="10M").rv()


def main(argv: list[str] | None = None) -> int:
    parser: argparse.ArgumentParser = Job.Runner.getDefaultArgumentParser(jobstore_as_flag=True)
    parser.add_argument("input_url", help="URL of the input text file")
    parser.add_argument("output_url", help="URL to write the result to")
    parser.add_argument("--chunks", type=int, default=4, help="number of parallel jobs")
    options: Any = parser.parse_args(argv)
    with Toil(options) as toil:
        if options.restart:
            result_id = toil.restart()
        else:
            input_id = toil.import_file(options.input_url)
            root = Job.wrapJobFn(fan_out, input_id, options.chunks, memory="100M", disk="10M")
            result_id = toil.start(root)
        toil.export_file(result_id, options.output_url)
    print(f"result: {options.output_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
