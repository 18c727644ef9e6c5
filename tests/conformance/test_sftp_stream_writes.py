"""SFTP write streams: appended to a temporary sibling as written, renamed at the end.

(What all part writers share, no local spool and bounded buffers among it, is in
``test_stream_writes.py``, which runs on SFTP too.)
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from fsjobstore import layout
from fsjobstore._snapshot import take_snapshot
from fsjobstore._storage_writes import _PART_SIZE as PART
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.maintenance import collect_garbage, verify
from tests.conformance._helpers import temp_keys
from tests.conformance._streams import chunks, content, kill_mid_stream, read, write
from tests.servers import Backend


class Boom(Exception):
    pass


def test_parts_reach_the_server_while_the_caller_writes(sftp_store: FsspecJobStore) -> None:
    old = write(sftp_store, 1000, b"old")
    with sftp_store.update_file_stream(old) as f:
        for piece in chunks(2 * PART + 1, b"new"):
            f.write(piece)
        f._wait_until(0)  # type: ignore[attr-defined]  # the parts sent so far are stored
        (temp,) = temp_keys(sftp_store)
        assert temp.rsplit("/", 1)[0] == layout.parse_file_id(old).key.rsplit("/", 1)[0]  # sibling
        assert sftp_store.storage.size(temp) == 2 * PART
        assert read(sftp_store, old) == content(1000, b"old")  # not yet replaced
    assert read(sftp_store, old) == content(2 * PART + 1, b"new")
    assert temp_keys(sftp_store) == []


def test_an_exception_mid_stream_keeps_the_old_file_and_no_temporary(
    sftp_store: FsspecJobStore,
) -> None:
    old = write(sftp_store, 1000, b"old")
    with pytest.raises(Boom), sftp_store.update_file_stream(old) as f:
        for piece in chunks(2 * PART + 1, b"new"):
            f.write(piece)
        raise Boom
    assert read(sftp_store, old) == content(1000, b"old")
    assert temp_keys(sftp_store) == []


def test_a_writer_killed_mid_stream_leaves_the_old_file_and_a_collectable_temporary(
    sftp_backend: Backend, sftp_store: FsspecJobStore,
) -> None:
    old = write(sftp_store, 1000, b"old")
    kill_mid_stream(sftp_backend, sftp_store, old)
    assert read(sftp_store, old) == content(1000, b"old")
    (temp,) = temp_keys(sftp_store)
    problems = verify(sftp_store.storage, take_snapshot(sftp_store.storage))
    assert [(p.kind, p.key) for p in problems] == [("temporary-object", temp)]
    later = datetime.now(timezone.utc) + timedelta(hours=2)  # past gc's age guard
    collect_garbage(sftp_store.storage, problems, dry_run=False, now=later)
    assert temp_keys(sftp_store) == []
    assert read(sftp_store, old) == content(1000, b"old")
