"""Two leaders creating one store at once: the one that finds the other's store
after its own check is told the store exists (Toil's "use --restart"), not
that the prefix holds objects of something else."""

from __future__ import annotations

from typing import Any

import pytest
from toil.common import Config
from toil.jobStores.abstractJobStore import JobStoreExistsException

from fsjobstore import jobstore, marker
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.storage import Storage
from tests.servers import Backend


def test_the_leader_that_checked_first_and_lost_is_told_the_store_exists(
        backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    url = backend.new_url()
    winner = FsspecJobStore(url, **backend.storage_options)
    loser = FsspecJobStore(url, **backend.storage_options)
    real_read_marker = marker.read_marker

    def read_marker_then_lose(storage: Storage) -> dict[str, Any] | None:
        found = real_read_marker(storage)  # no marker yet: this leader goes on...
        if storage is loser.storage:
            winner.initialize(Config())  # ...while the other creates the store
        return found

    monkeypatch.setattr(jobstore, "read_marker", read_marker_then_lose)
    with pytest.raises(JobStoreExistsException):
        loser.initialize(Config())
    monkeypatch.undo()
    winner.resume()  # the winner's store is whole
    winner.destroy()
