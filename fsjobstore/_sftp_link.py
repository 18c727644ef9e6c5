"""Exclusive creation on SFTP: a hard link fails where its target exists.

sshfs ignores ``mode="create"``, and checking before writing leaves a window in
which two writers both find the key free (two workers claiming the same hinted
slot would then share one file ID).  OpenSSH's ``hardlink@openssh.com``
extension links a written temporary file to the key and fails if the key
exists, whatever the timing.
"""

from __future__ import annotations

from typing import Any

from fsspec.asyn import sync

__all__ = ["LinkUnsupportedError", "link"]


class LinkUnsupportedError(Exception):
    """The SFTP server has no hard-link extension."""


async def _link(fs: Any, source: str, target: str) -> None:
    from asyncssh import SFTPOpUnsupported

    async with fs._pool.get() as channel:
        try:
            await channel.link(source, target)
        except SFTPOpUnsupported as exc:
            raise LinkUnsupportedError(str(exc)) from None


def link(fs: Any, source: str, target: str) -> None:
    """Hard-link *source* to *target* on the sshfs filesystem *fs*; fails if *target* exists.

    Raises :class:`LinkUnsupportedError` when the server cannot link.
    """
    sync(fs.loop, _link, fs, source, target)
