"""fsjobstore: any fsspec filesystem as a job store for the Toil workflow engine.

Importing this package imports neither Toil nor fsspec; the names below load
their modules on first use.
"""

from __future__ import annotations

# Not `from typing import ...`: the start-up hook imports this package in every
# interpreter, and typing (with re and enum) costs ~20 ms there.
TYPE_CHECKING = False

__version__ = "0.1.0"

__all__ = [
    "FsspecJobStore",
    "Storage",
    "__version__",
    "errors",
    "open_view",
    "register",
]

if TYPE_CHECKING:
    from typing import Any

    from fsjobstore import errors
    from fsjobstore.jobstore import FsspecJobStore
    from fsjobstore.registration import register
    from fsjobstore.storage import Storage
    from fsjobstore.view import open_view

_LAZY = {
    "FsspecJobStore": ("fsjobstore.jobstore", "FsspecJobStore"),
    "Storage": ("fsjobstore.storage", "Storage"),
    "open_view": ("fsjobstore.view", "open_view"),
    "register": ("fsjobstore.registration", "register"),
    "errors": ("fsjobstore.errors", None),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'fsjobstore' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    value = module if attribute is None else getattr(module, attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
