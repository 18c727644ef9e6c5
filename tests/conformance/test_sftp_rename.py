"""An SFTP server without OpenSSH's posix-rename extension: writes that would
replace a file refuse rather than tear it.

sshfs's ``mv`` would fall back to ``cp`` over an SSH shell (readers see the
target half-written) and remove the new data even when ``cp`` fails.  The
server here is a real OpenSSH; its answer "unsupported" is injected at the
client, where asyncssh asks for the extension.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh
import pytest

from fsjobstore.errors import UnsupportedError
from fsjobstore.jobstore import FsspecJobStore
from tests.conformance._helpers import temp_keys

_LARGE = 9 * 1024 * 1024  # over one part: the stream is appended, then renamed


@pytest.fixture
def no_posix_rename(
    sftp_store: FsspecJobStore, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], list[str]]:
    """From the call on, the server answers "unsupported" to posix-rename; the
    call returns the SSH commands run from then on."""

    def refuse() -> list[str]:
        async def unsupported(self: Any, old: str, new: str) -> None:
            raise asyncssh.SFTPOpUnsupported("posix-rename@openssh.com not supported")

        monkeypatch.setattr(asyncssh.SFTPClient, "posix_rename", unsupported)
        fs = sftp_store.storage.fs
        commands: list[str] = []
        real = fs._execute

        async def execute(command: str, *args: Any, **kwargs: Any) -> Any:
            commands.append(command)
            return await real(command, *args, **kwargs)

        monkeypatch.setattr(fs, "_execute", execute)
        return commands

    return refuse


def _assert_untouched(store: FsspecJobStore, file_id: str, old: bytes,
                      commands: list[str]) -> None:
    with store.read_file_stream(file_id) as stream:
        assert stream.read() == old
    assert commands == []  # no cp over a shell
    assert temp_keys(store) == []


def test_update_file_refuses_and_keeps_the_old_version(
    sftp_store: FsspecJobStore, no_posix_rename: Callable[[], list[str]], tmp_path: Path
) -> None:
    local = tmp_path / "a"
    local.write_bytes(b"old")
    file_id = sftp_store.write_file(str(local))
    commands = no_posix_rename()
    local.write_bytes(b"new")
    with pytest.raises(UnsupportedError, match=r"posix-rename@openssh\.com"):
        sftp_store.update_file(file_id, str(local))
    _assert_untouched(sftp_store, file_id, b"old", commands)


def test_a_new_file_is_written_by_sftps_own_rename(
    sftp_store: FsspecJobStore, no_posix_rename: Callable[[], list[str]], tmp_path: Path
) -> None:
    commands = no_posix_rename()
    local = tmp_path / "a"
    local.write_bytes(b"new")
    file_id = sftp_store.write_file(str(local))
    _assert_untouched(sftp_store, file_id, b"new", commands)


@pytest.mark.slow
def test_a_long_stream_refuses_and_keeps_the_old_version(
    sftp_store: FsspecJobStore, no_posix_rename: Callable[[], list[str]]
) -> None:
    with sftp_store.write_file_stream() as (stream, file_id):
        stream.write(b"old")
    commands = no_posix_rename()
    with pytest.raises(UnsupportedError, match=r"posix-rename@openssh\.com"), \
            sftp_store.update_file_stream(file_id) as stream:
        stream.write(b"n" * _LARGE)
    _assert_untouched(sftp_store, file_id, b"old", commands)
