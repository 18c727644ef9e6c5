"""OpenSSH's SFTP extensions that writes on SFTP rely on, called directly.

Exclusive creation: sshfs ignores ``mode="create"``, and checking before
writing leaves a window in which two writers both find the key free (two
workers claiming the same hinted slot would then share one file ID).
OpenSSH's ``hardlink@openssh.com`` extension links a written temporary file to
the key and fails if the key exists, whatever the timing.

Replacing: ``posix-rename@openssh.com`` replaces the target atomically.  Where
the server lacks it, sshfs's ``mv`` runs ``cp`` over an SSH shell instead
(readers see the target half-written) and then removes the source even when
``cp`` failed (an SFTP-only account: the new data is gone); :func:`rename`
uses SFTP's own rename there, which only creates, and refuses to replace.
"""

from __future__ import annotations

from typing import Any

from fsspec.asyn import sync

from fsjobstore.errors import UnsupportedError

__all__ = ["LinkUnsupportedError", "is_sftp", "link", "rename"]


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


def is_sftp(fs: Any) -> bool:
    """Whether *fs* is an sshfs filesystem."""
    try:
        from sshfs import SSHFileSystem
    except ImportError:  # not installed: no filesystem can be one
        return False
    return isinstance(fs, SSHFileSystem)


async def _rename(fs: Any, source: str, target: str) -> None:
    from asyncssh import SFTPFailure, SFTPOpUnsupported

    async with fs._pool.get() as channel:
        try:
            await channel.posix_rename(source, target)
        except SFTPOpUnsupported:
            pass
        else:
            return
        try:  # plain SFTP rename: refuses an existing target, never replaces it
            await channel.rename(source, target)
        except SFTPFailure:
            raise UnsupportedError(
                f"cannot replace {target} atomically: the SFTP server has no "
                "posix-rename@openssh.com extension (OpenSSH's sftp-server has it)"
            ) from None


def rename(fs: Any, source: str, target: str) -> None:
    """Move *source* onto *target* on the sshfs filesystem *fs* by a POSIX rename,
    which replaces *target* atomically.

    A server without the ``posix-rename@openssh.com`` extension gets SFTP's own
    rename, which fails where *target* exists: then
    :class:`~fsjobstore.errors.UnsupportedError` (*source* is left where it is).
    asyncssh's errors are sshfs's (``FileNotFoundError``...).
    """
    from sshfs.utils import wrap_exceptions

    sync(fs.loop, wrap_exceptions(_rename), fs, source, target)
