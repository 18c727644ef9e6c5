"""Keeping secrets out of URLs, messages and reprs."""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["REDACTING_FILTER", "RedactedError", "RedactingFilter", "holds_password",
           "holds_secret", "looks_secret", "redact_url", "redacting_logger", "scrub",
           "scrub_exception", "secret_values"]

#: Words that mark a name (an option, a variable, a query parameter) as one that
#: may hold a credential: ``pass`` covers password and passphrase, ``cred``
#: credential(s), ``sig`` signature, ``connection`` a connection string.
_SECRET_WORDS = ("key", "secret", "token", "pass", "cred", "connection", "sas", "sig", "auth",
                 "cookie")
#: A query (or fragment) parameter and its value.  Its name is split at ``-``
#: and ``_`` and matched segment by segment against _QUERY_SECRET_SEGMENTS, so
#: that ``authSource`` or ``max-keys`` are left alone.
_QUERY_PARAMETER = re.compile(r"([?&#])([^=&#?\s]+)=([^&#\s]+)")
#: Name segments of query parameters that carry credentials: ``X-Amz-Signature``,
#: ``X-Amz-Credential``, ``X-Amz-Security-Token``, ``X-Goog-Signature``,
#: ``X-Goog-Credential``, an Azure SAS's ``sig``, OAuth's ``access_token``,
#: ``api_key``, ``password``.
_QUERY_SECRET_SEGMENTS = frozenset({
    "sig", "signature", "credential", "token", "sas", "password", "passwd", "secret", "key",
    "apikey", "auth",
})


def _secret_parameter(name: str) -> bool:
    return any(part in _QUERY_SECRET_SEGMENTS for part in re.split(r"[-_]", name.lower()))


def _scrub_query(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        if not _secret_parameter(match.group(2)):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}=***"

    return _QUERY_PARAMETER.sub(hide, text)


#: Name segments (between ``_``, ``-`` or ``.``) that mark a credential where a
#: substring would match too much: ``MYSQL_PWD``, ``GH_PAT`` (not ``PATH``).
_SECRET_SEGMENTS = frozenset({"pwd", "pat"})
#: The shell's working directories, not passwords.
_NOT_SECRET = frozenset({"pwd", "oldpwd"})


def looks_secret(name: str) -> bool:
    """Whether an option, variable or parameter *name* may hold a credential."""
    lowered = name.lower()
    if any(word in lowered for word in _SECRET_WORDS):
        return True
    return lowered not in _NOT_SECRET and any(
        segment in _SECRET_SEGMENTS for segment in re.split(r"[-_.]", lowered))


#: A URL with a password in its authority: ``scheme://user:password@host``.  The
#: password may hold ``#``, ``?`` (unencoded, they end the authority for a URL
#: parser, which would then see neither user nor password) or ``@`` (the
#: authority ends at the last one, as for urlsplit and fsspec), not ``/``.
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^/@:\s]*):[^/\s]*@")
#: A URL whose user part alone is a credential: ``https://TOKEN@host`` (a package
#: index, a Sentry DSN).  Only web URLs: ``ssh://git@host`` names a user.
_WEB_USERINFO = re.compile(r"https?://[^/@\s]+@", re.IGNORECASE)
#: The secret fields of a connection string (Azure's ``AccountKey=...;``,
#: ``SharedAccessSignature=...``, an ODBC ``Password=...``).
_CONNECTION_SECRET = re.compile(
    r"(?<![A-Za-z])(AccountKey|SharedAccessSignature|SharedAccessKey|Password|Pwd)=[^;\s]+",
    re.IGNORECASE)


def holds_password(text: str) -> bool:
    """Whether *text* holds a URL with a password in it (anywhere: a proxy
    variable, a package index, a store URL)."""
    return _URL_PASSWORD.search(text) is not None


def holds_secret(text: str) -> bool:
    """Whether *text* may hold a credential: a URL with a password (or, for the
    web, a user part alone), a query parameter that may hold one (a signed URL),
    or a connection string's key."""
    return (holds_password(text) or _WEB_USERINFO.search(text) is not None
            or _CONNECTION_SECRET.search(text) is not None
            or any(_secret_parameter(match.group(2))
                   for match in _QUERY_PARAMETER.finditer(text)))


def redact_url(url: str) -> str:
    """*url* without a password in its authority or signatures in its query.

    Every URL in a chained one (``simplecache::sftp://user:pw@host/path``)."""
    return scrub(url)


#: Options whose values name key files (sshfs's ``client_keys``), not keys: a path
#: is no secret, inline key material in them is.
_KEY_FILE_OPTIONS = frozenset({"client_keys", "client_host_keys", "known_hosts",
                               "key_filename", "key_file", "keyfile"})


#: gcsfs's ways of finding credentials, given as ``token``: no credential themselves.
_TOKEN_MODES = frozenset({"anon", "google_default", "cache", "browser", "cloud"})


def _is_key_file_path(value: str) -> bool:
    """Whether *value*, given to a key-file option, reads as a path: one line,
    and absolute, home- or dot-relative, or short (``id_ed25519``); a base64 key
    body is one long line."""
    return "\n" not in value and (value.startswith(("/", "~", ".")) or len(value) < 48)


def secret_values(options: Mapping[str, Any]) -> list[str]:
    """String values of storage options whose names look like credentials, each
    also as ``repr`` quotes it (an error quoting a multi-line key escapes it)."""
    found: list[str] = []

    def visit(name: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                visit(str(k), v)
        elif (name.lower() == "headers" and isinstance(value, (list, tuple)) and len(value) == 2
              and all(isinstance(item, str) for item in value)):
            visit(value[0], value[1])  # ("Authorization", "Bearer ...")
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:  # auth=("user", "password"): both
                visit(name, item)
        elif isinstance(value, (bytes, bytearray)):
            visit(name, bytes(value).decode("utf-8", "replace"))
        elif isinstance(value, str) and len(value) >= 4 and looks_secret(name):
            if name.lower() in _KEY_FILE_OPTIONS and _is_key_file_path(value):
                return  # an error about the file must name it
            if name.lower() == "token" and value in _TOKEN_MODES:
                return  # scrubbing "anon" would garble "anonymous"
            found.append(value)
            if (quoted := repr(value)[1:-1]) != value:
                found.append(quoted)

    for key, value in options.items():
        visit(str(key), value)
    return found


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """*text* with every secret replaced by ``***``, and every password, signed
    query parameter or connection-string key in it."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    text = _CONNECTION_SECRET.sub(r"\1=***", text)
    return _scrub_query(text)


class RedactedError(Exception):
    """Stands in, in a traceback, for a backend's exception whose text held a
    credential that could not be removed from the exception itself."""


def scrub_exception(exc: BaseException, secrets: Iterable[str] = ()) -> BaseException:
    """*exc*, and the exceptions chained to it, without *secrets* or credentials.

    A backend's exception can quote a credential (gcsfs checks a raw token with
    ``GET .../tokeninfo?access_token=...``, and requests puts that URL in its
    error), and a traceback, which ``--logDebug`` logs, prints every exception
    of the chain.  Their messages and notes are scrubbed in place; one whose
    text still holds a credential afterwards is replaced, wherever it is
    linked, by a :class:`RedactedError` with its scrubbed text.  Returns *exc*
    or its stand-in.
    """
    secrets = tuple(secrets)
    found = _reachable(exc)
    for each in found:
        _scrub_fields(each, secrets)
    stand_ins: dict[int, BaseException] = {}
    for each in found:
        try:
            text = str(each)
        except Exception:
            continue
        clean = scrub(text, secrets)
        if clean != text:
            stand_in = RedactedError(f"{type(each).__module__}.{type(each).__qualname__}: "
                                     f"{clean}")
            stand_in.__cause__, stand_in.__context__ = each.__cause__, each.__context__
            stand_in.__suppress_context__ = each.__suppress_context__
            stand_in.__traceback__ = each.__traceback__
            stand_ins[id(each)] = stand_in

    def linked(other: BaseException | None) -> BaseException | None:
        return None if other is None else stand_ins.get(id(other), other)

    for each in [*found, *stand_ins.values()]:
        each.__cause__, each.__context__ = linked(each.__cause__), linked(each.__context__)
        with contextlib.suppress(Exception):
            each.args = tuple(linked(arg) if isinstance(arg, BaseException) else arg
                              for arg in each.args)
    return linked(exc) or exc


def _reachable(exc: BaseException) -> list[BaseException]:
    """*exc* and every exception linked to it: causes, contexts, exceptions among
    its args (requests wraps urllib3's so), members of exception groups."""
    found: list[BaseException] = []
    seen: set[int] = set()
    pending = [exc]
    while pending:
        each = pending.pop()
        if id(each) in seen:
            continue  # a cycle
        seen.add(id(each))
        found.append(each)
        pending.extend(other for other in (each.__cause__, each.__context__) if other is not None)
        pending.extend(arg for arg in each.args if isinstance(arg, BaseException))
        members = getattr(each, "exceptions", None)  # an ExceptionGroup's (3.11+)
        if isinstance(members, tuple):
            pending.extend(m for m in members if isinstance(m, BaseException))
    return found


def _scrub_fields(exc: BaseException, secrets: tuple[str, ...]) -> None:
    """Scrub the text *exc* is made of: string args, OSError's fields, notes."""
    with contextlib.suppress(Exception):  # args of an extension type may be read-only
        exc.args = tuple(scrub(arg, secrets) if isinstance(arg, str) else arg
                         for arg in exc.args)
    names = ("strerror", "filename", "filename2") if isinstance(exc, OSError) else ()
    for name in names:
        value = getattr(exc, name, None)
        if isinstance(value, str):
            with contextlib.suppress(Exception):
                setattr(exc, name, scrub(value, secrets))
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, list):
        notes[:] = [scrub(note, secrets) if isinstance(note, str) else note for note in notes]


class RedactingFilter(logging.Filter):
    """Scrubs credentials (passwords in URLs, signed queries, connection-string
    keys) from a record's message and traceback: fsjobstore's loggers log
    backends' exceptions, which may quote them."""

    def filter(self, record: logging.LogRecord) -> bool:
        with contextlib.suppress(Exception):  # a record whose args do not format
            message = record.getMessage()
            clean = scrub(message)
            if clean != message:
                record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            clean = scrub(text)
            if clean != text:  # else the record keeps its exception for other handlers
                record.exc_text, record.exc_info = clean, None
        return True


REDACTING_FILTER = RedactingFilter()


def redacting_logger(name: str) -> logging.Logger:
    """The logger called *name*, with :data:`REDACTING_FILTER` on it."""
    logger = logging.getLogger(name)
    if REDACTING_FILTER not in logger.filters:
        logger.addFilter(REDACTING_FILTER)
    return logger
