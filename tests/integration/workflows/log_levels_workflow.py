"""A Toil job that reports which of fsjobstore's log records its worker would keep.

``python log_levels_workflow.py --jobStore LOCATOR --logLevel LEVEL OUTPUT_PATH``:
one job writes to OUTPUT_PATH the effective level of fsjobstore's loggers in its
worker process, which set its log level after it opened the job store.  Runs as
a script only.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from toil.job import Job

#: fsjobstore's loggers that exist when the worker sets its level (the URL plugin's
#: does not: tests/integration/test_log_levels.py checks it in-process).
LOGGERS = ("fsjobstore", "fsjobstore._toil_jobs")


def report(job: Job, output: str) -> None:
    levels = [f"{name} {logging.getLevelName(logging.getLogger(name).getEffectiveLevel())}"
              for name in LOGGERS]
    Path(output).write_text("\n".join(levels) + "\n", encoding="utf-8")


def main() -> None:
    parser = Job.Runner.getDefaultArgumentParser(jobstore_as_flag=True)
    parser.add_argument("output")
    options: Any = parser.parse_args()
    Job.Runner.startToil(Job.wrapJobFn(report, options.output, memory="50M", disk="1M"),
                         options)


if __name__ == "__main__":
    main()
