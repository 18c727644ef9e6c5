"""Toil url_access plugin: fsspec schemes Toil does not handle (az, abfs, sftp, memory, ...)."""

from __future__ import annotations

from typing import Any

from toil.lib.plugins import register_plugin


def _factory() -> Any:
    from fsjobstore.toil_url import FsspecURLAccess

    return FsspecURLAccess


def _register() -> None:
    from fsjobstore.toil_url import plugin_schemes

    for scheme in plugin_schemes():
        register_plugin("url_access", scheme, _factory)


_register()
