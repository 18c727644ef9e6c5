"""Part of the Toil patch (:mod:`fsjobstore.registration`): command-line arguments.

``--jobStore`` of the runners and the ``jobStore`` argument of Toil's utilities
are checked when parsed, so a malformed ``fsspec:`` locator is an argparse
error naming what is wrong; in the ``toil`` command, fsjobstore's errors while
the store is opened are printed on one line.  Imported only when
``toil.common`` is patched; it never imports Toil itself.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

from fsjobstore._storage_core import check_protocol_known
from fsjobstore.errors import FsJobStoreError, InvalidLocatorError
from fsjobstore.locator import check_slashes, is_fsspec_locator, make_locator, without_prefix

__all__ = ["canonical", "patch_options", "patch_utility_parser", "report_utility_errors"]


def report_utility_errors() -> None:
    """In the ``toil`` command (``toil status``, ``clean``, ...), print fsjobstore's
    errors on one line, as the workflow runners do, instead of a traceback.

    Toil's utilities catch only "no such job store": a store they cannot open
    (a missing container, no credentials, an unreadable manifest) would end in
    a traceback through Toil's code to fsjobstore's one-line message.  Only
    fsjobstore's own errors are changed, only when nothing else catches them,
    and only in the ``toil`` command; at debug level the traceback stays.
    """
    if os.path.basename(sys.argv[0] if sys.argv else "") != "toil":
        return
    previous = sys.excepthook
    # Toil's main() drops the utility's name from sys.argv before running it;
    # the utilities' modules (and so this patch) are imported before that.
    command = f"toil {sys.argv[1]}" if len(sys.argv) > 1 else "toil"

    def excepthook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        if not isinstance(exc, FsJobStoreError) or logging.getLogger().isEnabledFor(
                logging.DEBUG):  # --logDebug, --logLevel debug, toil debug-job
            previous(kind, exc, tb)
            return
        print(f"{command}: error: {exc}", file=sys.stderr)

    sys.excepthook = excepthook


def canonical(locator: str) -> str:
    """The canonical ``fsspec:<url>`` form of an fsspec *locator*, checked."""
    return make_locator(locator)  # checks the URL inside


def patch_options(common: ModuleType) -> None:
    """Make ``--jobStore fsspec:<url>`` parse to the canonical locator, with a clear error."""
    options = sys.modules.get("toil.options.common")
    if options is None:
        return
    original: Callable[[str], str] = options.parse_jobstore
    if getattr(original, "__wrapped__", None) is not None:
        return

    def parse_jobstore(jobstore_uri: str) -> str:
        if isinstance(jobstore_uri, str) and is_fsspec_locator(jobstore_uri):
            return _locator_argument(jobstore_uri)
        _check_slashes(jobstore_uri)
        return original(jobstore_uri)

    parse_jobstore.__doc__ = original.__doc__
    parse_jobstore.__wrapped__ = original  # type: ignore[attr-defined]
    options.parse_jobstore = parse_jobstore  # type: ignore[attr-defined]
    if getattr(common, "parse_jobstore", None) is original:
        common.parse_jobstore = parse_jobstore  # type: ignore[attr-defined]


def _locator_argument(locator: str) -> str:
    """The canonical form of the fsspec *locator* given as a command-line argument.

    A malformed one is an argparse error naming what is wrong (``toil status:
    error: argument jobStore: ...``) instead of a traceback.
    """
    try:
        result = canonical(locator)
        _check_protocol(result)
    except InvalidLocatorError as exc:
        # argparse shows an ArgumentTypeError's message; a ValueError's it hides.
        raise argparse.ArgumentTypeError(str(exc)) from None
    return result


def _check_protocol(locator: str) -> None:
    """Refuse a locator whose protocol fsspec does not know, before anything runs."""
    check_protocol_known(without_prefix(locator))  # canonical: checked already


def _utility_locator(locator: str) -> str:
    """The ``type`` of a Toil utility's ``jobStore`` argument (Toil's own: ``str``)."""
    if isinstance(locator, str) and is_fsspec_locator(locator):
        return _locator_argument(locator)
    _check_slashes(locator)
    return locator


def _check_slashes(locator: object) -> None:
    """An argparse error for ``gs:/bucket/run`` (no ``//``), which Toil cannot name."""
    if not isinstance(locator, str):
        return
    try:
        check_slashes(locator)
    except InvalidLocatorError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def patch_utility_parser(common: ModuleType) -> None:
    """Check the locator ``toil status/clean/kill/stats/...`` are given, as the runners do.

    The utilities take the store as a plain positional string
    (``parser_with_common_options(jobstore_option=True)``); their modules import
    the function from ``toil.common`` after this patch, so they get the wrapper.
    """
    original: Callable[..., Any] | None = getattr(common, "parser_with_common_options", None)
    if original is None or getattr(original, "__wrapped__", None) is not None:
        return

    def parser_with_common_options(*args: Any, **kwargs: Any) -> Any:
        parser = original(*args, **kwargs)
        for action in getattr(parser, "_actions", ()):
            if action.dest == "jobStore" and not action.option_strings and action.type is str:
                action.type = _utility_locator
        return parser

    parser_with_common_options.__doc__ = original.__doc__
    parser_with_common_options.__name__ = original.__name__
    parser_with_common_options.__wrapped__ = original  # type: ignore[attr-defined]
    common.parser_with_common_options = parser_with_common_options  # type: ignore[attr-defined]
