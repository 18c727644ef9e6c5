"""Keeping secrets out of URLs, messages and reprs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["holds_password", "holds_secret", "looks_secret", "redact_url", "scrub",
           "secret_values"]

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


def looks_secret(name: str) -> bool:
    """Whether an option, variable or parameter *name* may hold a credential."""
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


#: A URL with a password in its authority: ``scheme://user:password@host``.
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/@]*:[^/@]*@")


def holds_password(text: str) -> bool:
    """Whether *text* holds a URL with a password in it (anywhere: a proxy
    variable, a package index, a store URL)."""
    return _URL_PASSWORD.search(text) is not None


def holds_secret(text: str) -> bool:
    """Whether *text* holds a URL with a password, or a query parameter that may
    hold a credential (a signed URL)."""
    return holds_password(text) or any(
        _secret_parameter(match.group(2)) for match in _QUERY_PARAMETER.finditer(text))


def redact_url(url: str) -> str:
    """*url* without a password in its authority or signatures in its query."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in userinfo else f"{user}@{host}"
    query = _scrub_query("?" + parts.query)[1:] if parts.query else ""
    fragment = _scrub_query("#" + parts.fragment)[1:] if parts.fragment else ""
    if netloc == parts.netloc and query == parts.query and fragment == parts.fragment:
        return url  # nothing to hide: as given (urlunsplit would rewrite 'file:x' as 'file:///x')
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def secret_values(options: Mapping[str, Any]) -> list[str]:
    """String values of storage options whose names look like credentials."""
    found: list[str] = []

    def visit(name: str, value: Any) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                visit(str(k), v)
        elif isinstance(value, str) and len(value) >= 4 and looks_secret(name):
            found.append(value)

    for key, value in options.items():
        visit(str(key), value)
    return found


def scrub(text: str, secrets: Iterable[str]) -> str:
    """*text* with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _scrub_query(text)
