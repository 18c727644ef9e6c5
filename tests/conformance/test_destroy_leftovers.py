"""A leader still running when its store is destroyed (``toil clean`` of a running
workflow) writes its last log message after: ``destroy`` removes that, where it
refuses any other object without a marker."""

from __future__ import annotations

import pytest
from toil.common import Config

from fsjobstore.errors import NotAJobStoreError
from fsjobstore.jobstore import FsspecJobStore
from tests.servers import Backend

on_some = pytest.mark.parametrize("backend", ["file", "s3", "ftp"], indirect=True)


@on_some
def test_the_last_log_message_of_a_destroyed_store_can_be_removed(backend: Backend) -> None:
    url = backend.new_url()
    leader = FsspecJobStore(url, **backend.storage_options)
    leader.initialize(Config())
    FsspecJobStore(url, **backend.storage_options).destroy()  # toil clean, meanwhile
    leader.write_logs('{"total_time": 12.5, "total_clock": 3.1}')  # the leader's last
    (left,) = leader.storage.list_keys_at_root()
    assert left.startswith("logs/")
    FsspecJobStore(url, **backend.storage_options).destroy()  # toil clean again
    assert leader.storage.list_keys_at_root() == []


@on_some
def test_other_logs_without_a_marker_are_left_alone(backend: Backend) -> None:
    store = FsspecJobStore(backend.new_url(), **backend.storage_options)
    store.storage.write_bytes("logs/app.log", b"not a job store's")
    with pytest.raises(NotAJobStoreError, match=r"holds objects but no fsjobstore\.json"):
        store.destroy()
    assert store.storage.list_keys_at_root() == ["logs/app.log"]
