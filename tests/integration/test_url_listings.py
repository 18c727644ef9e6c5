"""The URL plugin sees what other processes wrote: no listing cached from an earlier call."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from fsjobstore.toil_url import FsspecURLAccess
from tests.servers import Backend

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("reached", ["az"], indirect=True)
def test_a_file_written_elsewhere_after_a_listing_is_seen(reached: Backend) -> None:
    """A leader lists an output folder, a worker writes into it; the leader's next
    look must find the file, not answer from the listing it made before.  (Azure:
    of the backends the plugin serves, adlfs keeps a listings cache; sshfs has none.)"""
    folder_url = reached.new_url()
    other = reached.filesystem()  # another process's filesystem
    folder = other._strip_protocol(folder_url)
    other.makedirs(folder, exist_ok=True)
    other.pipe_file(f"{folder}/first.txt", b"1")
    assert FsspecURLAccess._list_url(urlparse(folder_url)) == ["first.txt"]
    other.pipe_file(f"{folder}/second.txt", b"22")
    second = urlparse(f"{folder_url}/second.txt")
    assert FsspecURLAccess._url_exists(second)
    assert FsspecURLAccess._get_size(second) == 2
    assert sorted(FsspecURLAccess._list_url(urlparse(folder_url))) == ["first.txt", "second.txt"]
