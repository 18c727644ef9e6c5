"""A separate process killed in the middle of a stream write (S3, GCS, Azure).

Usage: ``python _stream_writer.py URL STORAGE_OPTIONS_JSON FILE_ID``: overwrite
the file through ``update_file_stream`` with more than one part, print ``sent``
once the first part is stored, then block reading stdin (the test kills it).
"""

from __future__ import annotations

import json
import sys

from fsjobstore import _storage_writes
from fsjobstore.jobstore import FsspecJobStore


def main() -> None:
    url, options, file_id = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    store = FsspecJobStore(url, **options)
    store.resume()
    with store.update_file_stream(file_id) as f:
        f.write(b"n" * (_storage_writes._PART_SIZE + 1))
        f._wait_until(0)  # type: ignore[attr-defined]  # part 1 is stored
        print("sent", flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
