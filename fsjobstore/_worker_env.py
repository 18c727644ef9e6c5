"""The environment a Toil worker needs to reach the same store, without secrets.

Toil hands ``get_env()`` to its batch system, which sets it on every worker.
Workers build their filesystem from the locator alone, so endpoints, regions and
non-secret storage options travel as environment variables (fsspec reads
``FSSPEC_<PROTOCOL>`` JSON itself); anything that looks like a credential does
not: workers get credentials from their own environment or config files.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from fsjobstore._redact import holds_secret, looks_secret

__all__ = ["FORWARDED", "looks_secret", "non_secret_options", "shareable_environment",
           "worker_environment"]

#: Environment variables forwarded as they are (never credentials).
FORWARDED = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_PROFILE",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "AWS_EC2_METADATA_DISABLED",
    "STORAGE_EMULATOR_HOST",
    "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT",
    "NO_GCE_CHECK",
    "FSSPEC_CONFIG_DIR",
)


def non_secret_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The storage options that are safe to pass on: scalars with harmless names."""
    return {
        name: value
        for name, value in options.items()
        if isinstance(value, (str, int, float, bool)) and not looks_secret(name)
        and not (isinstance(value, str) and holds_secret(value))
    }


def worker_environment(
    protocols: Iterable[str], options: Mapping[str, Any], environ: Mapping[str, str]
) -> dict[str, str]:
    """Variables for workers: forwarded endpoints plus ``FSSPEC_*`` minus secrets."""
    env = {name: environ[name] for name in FORWARDED
           if name in environ and not holds_secret(environ[name])}
    for name, value in environ.items():
        if name.startswith("FSSPEC_") and not looks_secret(name) and not _has_secrets(value):
            env[name] = value
    extra = non_secret_options(options)
    if extra:
        for protocol in protocols:
            name = f"FSSPEC_{protocol.upper()}"
            if name in environ and name not in env:
                # It holds credentials: setting it would replace the worker's own
                # (inherited) value, so leave it to the worker's environment.
                continue
            merged: dict[str, Any] = {}
            with contextlib.suppress(ValueError, TypeError):
                merged = dict(json.loads(env.get(name, "{}")))
            merged.update(extra)
            env[name] = json.dumps(merged)
    return env


def shareable_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The leader's environment as Toil may store it for its workers: no credentials.

    Toil writes the leader's whole environment into the store
    (``shared/environment.pickle``) for workers to restore.  Variables whose
    names look like credentials, values with a password in a URL
    (``HTTPS_PROXY=http://user:password@proxy``), and ``FSSPEC_*`` values
    that hold a credential stay out: workers that run beside the leader
    inherit them anyway, and others need credentials of their own to open the
    store in the first place.
    """
    return {
        name: value for name, value in environ.items()
        if not looks_secret(name) and not holds_secret(value)
        and not (name.startswith("FSSPEC_") and _has_secrets(value))
    }


def _has_secrets(value: str) -> bool:
    """Whether a ``FSSPEC_<PROTOCOL>`` JSON value names a secret-looking option,
    at any depth (``client_kwargs``, ``storage_options``, HTTP ``headers``...),
    or holds a URL with a password or a signed query."""
    if holds_secret(value):
        return True
    try:
        document = json.loads(value)
    except ValueError:
        return False
    return _names_secret(document)


def _names_secret(node: Any) -> bool:
    if isinstance(node, dict):
        return any(looks_secret(str(k)) or _names_secret(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_names_secret(item) for item in node)
    return False
