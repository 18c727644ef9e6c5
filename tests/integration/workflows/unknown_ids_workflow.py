"""A Toil job that asks its file store for IDs that are not the job store's.

``python unknown_ids_workflow.py --jobStore LOCATOR [--caching BOOL] OUTPUT_PATH``:
one job reads and sizes strings that are no file IDs of the store (a plain word,
a path out of the store), reads the word as a ``FileID``, and writes to OUTPUT_PATH one
line per attempt: the name of the exception Toil's file store let through.  Toil's
own caching file store reads ``"bogus"`` and expects ``NoSuchFileException``
(``toil.test.src.fileStoreTest``).  Runs as a script only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toil.common import Toil
from toil.fileStores import FileID
from toil.job import Job
from toil.jobStores.abstractJobStore import NoSuchFileException

#: Strings only: the size of a FileID is the one it carries, without asking the store.
UNKNOWN = ("bogus", "../outside/of/the/store")


def probe(job: Job, output: str) -> None:
    store = job.fileStore
    attempts = [(call, file_id) for file_id in UNKNOWN
                for call in (store.readGlobalFile, store.getGlobalFileSize)]
    attempts.append((store.readGlobalFile, FileID("bogus", 4096)))
    lines = []
    for call, file_id in attempts:
        try:
            call(file_id)
        except NoSuchFileException as exc:
            lines.append(f"{call.__name__} {file_id!s}: NoSuchFileException {exc}")
        else:
            lines.append(f"{call.__name__} {file_id!s}: no error")
    Path(output).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = Job.Runner.getDefaultArgumentParser(jobstore_as_flag=True)
    parser.add_argument("output")
    options: Any = parser.parse_args()
    with Toil(options) as toil:
        toil.start(Job.wrapJobFn(probe, options.output, memory="50M", disk="1M"))


if __name__ == "__main__":
    main()
