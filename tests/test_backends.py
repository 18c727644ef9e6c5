"""Which profile each fsspec filesystem gets (fsjobstore/backends.py)."""

from __future__ import annotations

import fsspec
import pytest

from fsjobstore import backends


@pytest.mark.parametrize(
    ("protocol", "profile"),
    [
        ("s3", backends.S3),
        ("gs", backends.GCS),
        ("az", backends.AZURE),
        ("abfs", backends.AZURE),
        ("sftp", backends.SFTP),
        ("file", backends.LOCAL),
        ("memory", backends.MEMORY),
    ],
)
def test_each_backend_gets_its_profile(protocol: str, profile: backends.Capabilities) -> None:
    # The profile is chosen from the filesystem's own protocol names.
    fs_class = fsspec.get_filesystem_class(protocol)
    assert backends.profile_for(fs_class.protocol) is profile


def test_unknown_and_retired_protocols_get_the_conservative_profile() -> None:
    # adl:// (Azure Data Lake Gen1) is retired; adlfs no longer serves it.
    for protocol in ("adl", "webdav", ("dropbox", "dbx")):
        assert backends.profile_for(protocol) is backends.CONSERVATIVE
