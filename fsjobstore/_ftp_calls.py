"""FTP calls that say "not there" only when the server does.

fsspec's FTP answers a failed listing as it answers a missing directory: its
``ls`` catches every ftplib error and lists the parent instead (a directory
that exists but could not be listed comes out empty), its ``exists`` and
``isfile`` catch everything, ``find`` omits a directory whose listing raised, and
``get_file`` lists the parent (``isdir``) before each RETR.  A data connection that
timed out under load then passed for an empty or missing path, and could leave
the control connection a reply behind for the calls after it.  Here only the
server's ``550`` means "not there"; any other failure is raised, for the caller
to make the call again on a new connection.  The functions take fsspec's
``FTPFileSystem`` (:func:`is_ftp`) and a backend path.
"""

from __future__ import annotations

import ftplib
from typing import IO, Any

__all__ = ["ftp_find", "ftp_ls", "ftp_makedirs", "ftp_retrieve", "ftp_size", "ftp_stat",
           "ftp_store", "is_ftp", "reconnect", "unconnected"]

#: Replies of a server that does not know a command (no MLST or MLSD: RFC 959 only).
_UNKNOWN_COMMAND = ("500", "502")


def reconnect(fs: Any) -> None:
    """Connect fsspec's FTP filesystem *fs* anew, as it connected when made: its
    ``_connect`` leaves out the encrypted data connections (``PROT P``) that its
    constructor asks for with ``tls=True``."""
    fs._connect()
    if getattr(fs, "tls", False) is True:
        fs.ftp.prot_p()


def is_ftp(fs: Any) -> bool:
    """Whether *fs* is fsspec's FTP filesystem (or one like it): an ftplib connection."""
    return isinstance(getattr(fs, "ftp", None), ftplib.FTP) and callable(
        getattr(fs, "_connect", None))


def unconnected(fs: Any) -> bool:
    """Whether *fs* is an FTP filesystem whose connection has no socket: closed,
    or a connect that failed (ftplib never connects again by itself)."""
    return is_ftp(fs) and fs.ftp.sock is None


def _not_there(exc: ftplib.error_perm) -> bool:
    return str(exc).startswith("550")


def _is_dir(fs: Any, path: str) -> bool:
    facts = ftp_stat(fs, path)
    return facts is not None and facts["type"] == "dir"


def ftp_stat(fs: Any, path: str) -> dict[str, Any] | None:
    """The facts of *path* (``type``: ``file`` or ``dir``, ``size``) or None if
    nothing is there: one MLST, on the control connection (no data connection).

    A server without MLST gets fsspec's ``info`` (a listing of the parent).
    """
    try:
        reply = fs.ftp.sendcmd(f"MLST {path}")
    except ftplib.error_perm as exc:
        if _not_there(exc):
            return None
        if not str(exc).startswith(_UNKNOWN_COMMAND):
            raise
        try:
            info = fs.info(path)
        except FileNotFoundError:
            return None
        return {"type": "dir" if info["type"] == "directory" else info["type"],
                "size": info.get("size") or 0}
    # "250-Listing path", " type=file;size=3;modify=...; path", "250 End."
    for line in reply.splitlines()[1:]:
        if line.startswith(" "):
            facts, _, _ = line.strip().partition(" ")
            pairs = (fact.partition("=") for fact in facts.split(";") if fact)
            found: dict[str, Any] = {name.lower(): value for name, _, value in pairs}
            found["type"] = found.get("type", "").lower()
            return found
    raise ftplib.error_proto(f"MLST {path}: no facts in the reply {reply!r}")


def ftp_size(fs: Any, path: str) -> int | None:
    """The size of the file at *path*, or None if there is none (one MLST)."""
    facts = ftp_stat(fs, path)
    if facts is None or facts["type"] != "file":
        return None
    return int(facts.get("size") or 0)


def ftp_ls(fs: Any, path: str) -> list[dict[str, Any]]:
    """What the directory *path* holds, as fsspec's ``ls(detail=True)`` gives it
    (``type`` ``file`` or ``directory``); ``FileNotFoundError`` if nothing is
    there.  One MLSD (fsspec's ``ls`` lists the parent after any failure, so a
    directory it failed to list comes out empty).  A server without MLSD gets
    fsspec's ``ls``.
    """
    top = path.rstrip("/") or "/"
    try:
        entries = list(fs.ftp.mlsd(top))
    except ftplib.error_perm as exc:
        if str(exc).startswith(_UNKNOWN_COMMAND):
            return list(fs.ls(top, detail=True))
        if ftp_stat(fs, top) is not None:  # there, yet not listed: no "not found"
            raise
        raise FileNotFoundError(top) from exc  # (pyftpdlib answers 501, others 550)
    return [_entry(top, name, facts) for name, facts in entries if _listed(name, facts)]


def _listed(name: str, facts: dict[str, str]) -> bool:
    return name not in (".", "..") and facts.get("type", "").lower() not in ("cdir", "pdir")


def _entry(directory: str, name: str, facts: dict[str, str]) -> dict[str, Any]:
    full = f"{directory.rstrip('/')}/{name}"
    kind = "directory" if facts.get("type", "").lower() == "dir" else "file"
    return {**facts, "name": full, "type": kind, "size": int(facts.get("size") or 0)}


def ftp_find(fs: Any, path: str) -> dict[str, dict[str, Any]]:
    """Every file below the directory *path*, with its listing details as fsspec's
    ``find(detail=True)`` gives them; ``FileNotFoundError`` if *path* is not there.

    One MLSD a directory.  A subdirectory removed meanwhile is skipped; any
    other failure raises (fsspec's ``find`` would leave the directory out).  A
    server without MLSD gets fsspec's ``find``.
    """
    top = path.rstrip("/") or "/"
    found: dict[str, dict[str, Any]] = {}
    todo = [top]
    while todo:
        directory = todo.pop()
        try:
            entries = list(fs.ftp.mlsd(directory))
        except ftplib.error_perm as exc:
            if str(exc).startswith(_UNKNOWN_COMMAND):
                return dict(fs.find(top, detail=True))
            if _is_dir(fs, directory):  # there, yet not listed: no "not found"
                raise
            if directory == top:  # (pyftpdlib answers 501, others 550)
                raise FileNotFoundError(top) from exc
            continue
        for name, facts in entries:
            if not _listed(name, facts):
                continue
            entry = _entry(directory, name, facts)
            if entry["type"] == "directory":
                todo.append(entry["name"])
            else:
                found[entry["name"]] = entry
    return found


def ftp_retrieve(fs: Any, path: str, sink: IO[bytes]) -> None:
    """Write the file at *path* to *sink*: one RETR (fsspec's ``get_file`` first
    lists the parent, and takes a failed listing for "not a directory")."""
    fs.ftp.retrbinary(f"RETR {path}", sink.write, blocksize=fs.blocksize)


def ftp_store(fs: Any, path: str, source: IO[bytes]) -> None:
    """Write *source*, from where it stands to its end, to *path*: one STOR (fsspec's
    FTP file sends a STOR with REST per block it buffers, 64 KiB by default: a
    data connection each, which a server's passive ports may run out of)."""
    fs.ftp.storbinary(f"STOR {path}", source, blocksize=fs.blocksize)
    fs.invalidate_cache(path)


def ftp_makedirs(fs: Any, path: str) -> None:
    """Make the directory *path* and its missing parents: one MLST a level, from
    the deepest up to one that exists, then one MKD a level down (fsspec's
    ``makedirs`` lists each parent, and takes a failed listing for "missing").
    A directory another writer made meanwhile counts as made."""
    missing: list[str] = []
    while path.strip("/") and ftp_stat(fs, path) is None:
        missing.append(path)
        path = path.rstrip("/").rpartition("/")[0]
    for directory in reversed(missing):
        try:
            fs.ftp.mkd(directory)
        except ftplib.error_perm:
            if not _is_dir(fs, directory):
                raise
