"""Local files with the fewest system calls and copies.

``open(path, "rb").read()`` makes two objects and seven system calls (open,
fstat, ioctl, lseek, fstat, read, read, close); a job manifest or a small shared
file costs about twice the time of what follows here, which is open, read until
an empty read, close.  Reading until an empty read (not until a short one) keeps
a file whole on file systems that return short reads (FUSE, NFS).  Writes go to
a temporary sibling that is renamed (or, for an exclusive write, linked) onto
the target, so a reader sees the old file or the new one, never a part.
Streams are the open file itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
from collections.abc import Callable
from typing import BinaryIO

from fsjobstore import layout

__all__ = [
    "copy_into", "create_empty", "link_file", "link_marker", "open_local", "open_new",
    "read_local", "write_local", "write_local_with",
]

_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_CHUNK = 64 * 1024
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(
    os, "O_BINARY", 0)
_read = os.read  # one name each, so a test can make reads and writes short
_write = os.write
_sendfile = os.sendfile if sys.platform.startswith("linux") else None  # file to file: Linux
_SENDFILE_BLOCK = 64 * 1024 * 1024


def read_local(path: str) -> bytes:
    """The whole content of the local file *path*."""
    fd = os.open(path, _FLAGS)
    try:
        return _read_fd(fd)
    finally:
        os.close(fd)


def open_local(path: str, buffer_size: int) -> BinaryIO:
    """The open file *path*: a stream with a descriptor, as Toil's own store hands
    out (a job may give it to a subprocess as its standard input), named by its
    path as there (``.name``)."""
    return open(path, "rb", buffering=buffer_size)


def _read_fd(fd: int) -> bytes:
    first = _read(fd, _CHUNK)
    if not first:
        return first
    chunks = [first]
    while chunk := _read(fd, _CHUNK):
        chunks.append(chunk)
    return first if len(chunks) == 1 else b"".join(chunks)


def write_local(path: str, data: bytes, *, exclusive: bool = False) -> None:
    """Store *data* at *path* atomically; with *exclusive*, FileExistsError if it exists."""
    def fill(fd: int) -> None:
        view = memoryview(data)
        while view:  # a write may be partial
            view = view[_write(fd, view):]

    _via_temp(path, fill, exclusive)


def write_local_with(path: str, fill: Callable[[BinaryIO], object], *,
                     exclusive: bool = False) -> None:
    """Store what *fill* writes to a buffered binary file at *path*, atomically."""
    def fill_fd(fd: int) -> None:
        with open(fd, "wb", closefd=False) as f:
            fill(f)

    _via_temp(path, fill_fd, exclusive)


def copy_into(src: BinaryIO, dst: BinaryIO) -> None:
    """Copy the rest of the open file *src* into *dst*: in the kernel (sendfile, as
    ``shutil.copyfile`` does on Linux) where it can, else through a buffer."""
    dst.flush()
    if _sendfile is not None:
        in_fd, out_fd = src.fileno(), dst.fileno()
        sent = 0
        try:
            while count := _sendfile(out_fd, in_fd, None, _SENDFILE_BLOCK):
                sent += count
            return
        except OSError as exc:
            if sent or exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP,
                                         errno.ENOTSOCK, errno.EXDEV):
                raise
    shutil.copyfileobj(src, dst, 1024 * 1024)


def open_new(path: str) -> int:
    """A write descriptor of a new file at *path* (FileExistsError if there is one);
    its directory is created on first use only."""
    try:
        return os.open(path, _WRITE_FLAGS, 0o666)
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return os.open(path, _WRITE_FLAGS, 0o666)


def create_empty(path: str, *, exclusive: bool) -> bool:
    """Create an empty file at *path* in one step; False if *path* exists (and not *exclusive*).

    An exclusive create is atomic (a reader finds no file or the empty one), so an
    empty object such as a delivery marker needs no temporary file and rename.
    """
    try:
        fd = open_new(path)
    except FileExistsError:
        if exclusive:
            raise
        return False  # replacing an object: the usual temporary file and rename
    os.close(fd)
    return True


#: What os.link raises where the marked file is gone or links are not to be had.
_NO_LINK = frozenset({errno.ENOENT, errno.EPERM, errno.EACCES, errno.ENOTSUP, errno.EOPNOTSUPP,
                      errno.EXDEV, errno.EMLINK, errno.ENOSYS})


def link_marker(marked: str, path: str) -> None:
    """Create the marker *path* for the file *marked*: a hard link to it if possible.

    Only a marker's name matters.  A link is one directory entry and no new
    file: on ext4 without a journal, each new file after a burst of deletes
    pays a scan past the inodes freed in the last minute, and a link does not.
    Where there is no file to link to, or the file system has no hard links,
    the marker is an empty file.  A marker that is already there stays.
    """
    try:
        _link(marked, path)
    except FileExistsError:
        return
    except OSError as exc:
        if exc.errno not in _NO_LINK:
            raise
        create_empty(path, exclusive=False)


def link_file(source: str, path: str) -> bool:
    """Make the new file *path* a hard link to *source*; False where it cannot be.

    A link appears whole, in one step.  False when the file systems differ, the
    file system has no hard links, or the kernel refuses (a file of another
    user, ``fs.protected_hardlinks``); the caller then copies.
    """
    try:
        _link(source, path)
    except OSError as exc:
        if exc.errno == errno.ENOENT or exc.errno not in _NO_LINK:
            raise  # no source, or a real failure
        return False
    return True


def _link(marked: str, path: str) -> None:
    try:
        os.link(marked, path)
    except FileNotFoundError:
        if not os.path.lexists(marked):
            raise  # nothing to link to
        os.makedirs(os.path.dirname(path), exist_ok=True)  # the marker directory's first use
        os.link(marked, path)


def _via_temp(path: str, fill: Callable[[int], None], exclusive: bool) -> None:
    temp = layout.temp_sibling(path)  # fsspec's local paths are "/"-separated everywhere
    fd = open_new(temp)
    try:
        try:
            fill(fd)
        finally:
            os.close(fd)
        if exclusive:
            try:
                os.link(temp, path)  # FileExistsError if taken: exclusive by the kernel
            finally:
                os.unlink(temp)
        else:
            os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
