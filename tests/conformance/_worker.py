"""A separate process that updates jobs, for concurrency and crash tests.

Usage: ``python _worker.py URL STORAGE_OPTIONS_JSON JOB_ID N``: load the job and
update it N times (N = 0: forever), bumping ``remainingTryCount`` each time
and printing the count after each committed update.
"""

from __future__ import annotations

import json
import sys

from fsjobstore.jobstore import FsspecJobStore


def main() -> None:
    url, options = sys.argv[1], json.loads(sys.argv[2])
    job_id, rounds = sys.argv[3], int(sys.argv[4])
    store = FsspecJobStore(url, **options)
    store.resume()
    job = store.load_job(job_id)
    done = 0
    while rounds == 0 or done < rounds:
        done += 1
        job.remainingTryCount = done
        # A growing payload makes a torn write detectable.
        job.jobName = f"{job_id}:" + "x" * (done * 1000)
        store.update_job(job)
        print(done, flush=True)


if __name__ == "__main__":
    main()
