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

__all__ = ["FORWARDED", "looks_secret", "non_secret_options", "worker_environment"]

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
_SECRET_WORDS = ("key", "secret", "token", "pass", "cred", "connection", "sas", "sig", "auth")


def looks_secret(name: str) -> bool:
    """Whether an option or variable *name* may hold a credential."""
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def non_secret_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The storage options that are safe to pass on: scalars with harmless names."""
    return {
        name: value
        for name, value in options.items()
        if isinstance(value, (str, int, float, bool)) and not looks_secret(name)
    }


def worker_environment(
    protocols: Iterable[str], options: Mapping[str, Any], environ: Mapping[str, str]
) -> dict[str, str]:
    """Variables for workers: forwarded endpoints plus ``FSSPEC_*`` minus secrets."""
    env = {name: environ[name] for name in FORWARDED if name in environ}
    for name, value in environ.items():
        if name.startswith("FSSPEC_") and not looks_secret(name):
            cleaned = _without_secrets(value)
            if cleaned is not None:
                env[name] = cleaned
    extra = non_secret_options(options)
    if extra:
        for protocol in protocols:
            name = f"FSSPEC_{protocol.upper()}"
            merged: dict[str, Any] = {}
            with contextlib.suppress(ValueError, TypeError):
                merged = dict(json.loads(env.get(name, "{}")))
            merged.update(extra)
            env[name] = json.dumps(merged)
    return env


def _without_secrets(value: str) -> str | None:
    """A ``FSSPEC_<PROTOCOL>`` JSON value with secret-looking options removed."""
    try:
        document = json.loads(value)
    except ValueError:
        return value
    if not isinstance(document, dict):
        return value
    kept = {k: v for k, v in document.items() if not looks_secret(str(k))}
    return json.dumps(kept) if kept else None
