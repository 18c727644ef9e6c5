"""Toil's ``--sseKey`` is refused before anything is written, never ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
from toil.common import Config

from fsjobstore.errors import InvalidInputError
from tests.conformance._helpers import all_keys
from tests.conformance.conftest import open_store
from tests.servers import Backend


def test_an_encryption_key_is_refused_and_nothing_is_written(
    backend: Backend, tmp_path: Path
) -> None:
    key_file = tmp_path / "sse.key"
    key_file.write_text("k" * 32)
    config = Config()
    config.sseKey = str(key_file)
    store = open_store(backend)

    with pytest.raises(InvalidInputError, match="--sseKey") as caught:
        store.initialize(config)

    assert "unencrypted" in str(caught.value)
    assert "k" * 32 not in str(caught.value)  # the key itself is never repeated
    assert all_keys(store) == []
    config.sseKey = None
    store.initialize(config)  # the same location, without the key, is fine
    assert all_keys(store)
    store.destroy()
