"""Teach Toil 9.6 the ``fsspec:<url>`` job-store locator.

Toil has no job-store plugin point: ``Toil.getJobStore`` knows ``file``,
``aws`` and ``google`` only, and every process (leader, each ``_toil_worker``,
``toil status/clean/kill/stats/debug-job``) resolves the locator again.  This
module owns the patch that fixes that, and the two ways to apply it:

- :func:`register` patches ``toil.common`` now (notebooks, in-process use);
- :func:`install_hook` runs from the installed ``fsjobstore-toil.pth`` (or the
  PEP 829 ``fsjobstore-toil.start``) at interpreter start.  It imports neither
  Toil nor fsspec: it puts a finder on ``sys.meta_path`` that lets the real
  loader execute ``toil.common`` and then patches it, so every Toil process
  on this interpreter understands ``fsspec:`` locators.  ``FSJOBSTORE_NO_HOOK=1``
  turns it off.

The patch wraps and delegates: ``Toil.getJobStore``, ``Toil.parseLocator``,
``Toil.canonical_locator``, ``Toil.__enter__`` and
``toil.options.common.parse_jobstore`` handle ``fsspec:<url>`` and bare
``<protocol>://`` locators for protocols Toil does not own
(:data:`fsjobstore.locator.TOIL_OWNED`) and pass everything else to Toil's
original.  Command-line locators are rewritten to the canonical
``fsspec:<url>`` form, so workers, promises and Toil's history see one string.
It also adds fsjobstore's URL schemes to ``toil.lib.io``'s lists of URL
schemes, by which Toil's WDL runner tells URLs from relative paths.  And it keeps
Toil's logging set-up from silencing fsjobstore's own loggers
(:mod:`fsjobstore._toil_logging`).

Module-level imports are stdlib only and cheap: this module is imported at
every interpreter start.
"""

from __future__ import annotations

import _thread
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~20 ms at start-up; only type checkers need it
    from collections.abc import Callable, Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType
    from typing import Any

__all__ = ["NO_HOOK_ENV", "install_hook", "is_patched", "register"]

#: Set to ``1`` (or any value but ``0``/empty) to keep the start-up hook from patching Toil.
NO_HOOK_ENV = "FSJOBSTORE_NO_HOOK"
_TARGET = "toil.common"
_MARK = "_fsjobstore_patched"
# Re-entrant: patching imports fsjobstore modules, which may import Toil again.
_lock = _thread.RLock()


def register() -> None:
    """Patch Toil now so it resolves ``fsspec:`` locators; safe to call again.

    Imports ``toil.common``.  Unlike the start-up hook, this ignores
    ``FSJOBSTORE_NO_HOOK`` and lets errors propagate.
    """
    import importlib

    module = importlib.import_module(_TARGET)
    _patch(module)


def is_patched() -> bool:
    """Whether ``toil.common`` is imported and patched in this process."""
    module = sys.modules.get(_TARGET)
    return module is not None and bool(getattr(getattr(module, "Toil", None), _MARK, False))


def install_hook() -> None:
    """Arrange for ``toil.common`` to be patched when it is imported.

    Called at interpreter start; never raises, imports neither Toil nor fsspec,
    and does nothing when ``FSJOBSTORE_NO_HOOK`` is set.  Calling it again is
    harmless.
    """
    try:
        if os.environ.get(NO_HOOK_ENV, "") not in ("", "0"):
            return
        with _lock:
            module = sys.modules.get(_TARGET)
            if module is not None:
                # Already imported (e.g. install_hook called late): patch it now.
                _patch_quietly(module)
                return
            if not any(isinstance(f, _ToilCommonFinder) for f in sys.meta_path):
                sys.meta_path.insert(0, _ToilCommonFinder())
    except Exception as exc:  # start-up must never fail because of us
        _debug("fsjobstore: start-up hook not installed: %r", exc)


class _ToilCommonFinder:
    """Finds ``toil.common`` through the other finders and patches it after it executes."""

    def __init__(self) -> None:
        self._searching = False

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != _TARGET or self._searching:
            return None
        with _lock:
            if self._searching:  # the other finders called back into us
                return None
            self._searching = True
            try:
                spec = self._find_real_spec(fullname, path, target)
            except Exception as exc:
                _debug("fsjobstore: finding %s failed: %r", fullname, exc)
                return None
            finally:
                self._searching = False
        loader = None if spec is None else spec.loader
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        self._wrap(loader)
        return spec

    def _find_real_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None
    ) -> ModuleSpec | None:
        for finder in list(sys.meta_path):
            if finder is self or isinstance(finder, _ToilCommonFinder):
                continue
            find_spec = getattr(finder, "find_spec", None)
            if find_spec is None:
                continue
            spec: ModuleSpec | None = find_spec(fullname, path, target)
            if spec is not None:
                return spec
        return None

    def _wrap(self, loader: Any) -> None:
        # The loader object belongs to this one module (SourceFileLoader is per
        # file), so overriding exec_module on the instance keeps its type and
        # every other method (get_source for tracebacks, ...) intact.
        original: Callable[[ModuleType], None] = loader.exec_module
        finder = self

        def exec_module(module: ModuleType) -> None:
            original(module)  # Toil's own errors propagate unchanged
            _patch_quietly(module)
            try:
                del loader.exec_module
                if finder in sys.meta_path:
                    sys.meta_path.remove(finder)
            except (AttributeError, ValueError):
                pass

        loader.exec_module = exec_module


def _patch_quietly(module: ModuleType) -> None:
    try:
        _patch(module)
    except Exception as exc:
        _debug("fsjobstore: could not patch %s: %r", _TARGET, exc)


def _debug(message: str, *args: object, exc_info: BaseException | None = None) -> None:
    from fsjobstore._redact import redacting_logger

    redacting_logger(__name__).debug(message, *args, exc_info=exc_info)


def _patch(module: ModuleType) -> None:
    """Wrap the locator functions of *module* (``toil.common``); idempotent."""
    with _lock:
        toil_class: Any = module.Toil
        if toil_class.__dict__.get(_MARK, False):
            return
        from fsjobstore._toil_arguments import (
            canonical,
            patch_options,
            patch_utility_parser,
            report_utility_errors,
        )
        from fsjobstore.locator import is_fsspec_locator

        original_get = toil_class.__dict__["getJobStore"].__func__
        original_parse = toil_class.__dict__["parseLocator"].__func__
        original_canonical = toil_class.__dict__["canonical_locator"].__func__
        original_resume = toil_class.__dict__["resumeJobStore"].__func__
        original_enter = toil_class.__dict__["__enter__"]
        original_serialise = toil_class.__dict__["_serialiseEnv"]

        def get_job_store(cls: Any, locator: str) -> Any:
            if isinstance(locator, str) and is_fsspec_locator(locator):
                from fsjobstore.jobstore import FsspecJobStore

                return FsspecJobStore(canonical(locator))  # checks the grammar first
            return original_get(cls, locator)

        def parse_locator(locator: str) -> tuple[str, str]:
            if isinstance(locator, str) and is_fsspec_locator(locator):
                from fsjobstore.locator import PREFIX, url_of

                return PREFIX, url_of(locator)
            result: tuple[str, str] = original_parse(locator)
            return result

        def canonical_locator(cls: Any, locator: str) -> str:
            if isinstance(locator, str) and is_fsspec_locator(locator):
                return canonical(locator)
            result: str = original_canonical(cls, locator)
            return result

        def resume_job_store(cls: Any, locator: str) -> Any:
            from fsjobstore.errors import FsJobStoreError

            try:
                return original_resume(cls, locator)
            except FsJobStoreError as exc:
                raise _opening_failed(exc) from None

        def enter(self: Any) -> Any:
            from fsjobstore.errors import FsJobStoreError

            try:
                options: Any = getattr(self, "options", None)
                locator = getattr(options, "jobStore", None)
                if isinstance(locator, str) and is_fsspec_locator(locator):
                    # Set in a script rather than parsed from --jobStore: the
                    # canonical form all the same, for workers and promises.
                    options.jobStore = canonical(locator)
                result = original_enter(self)
                _refuse_private_store(self)
            except FsJobStoreError as exc:
                raise _opening_failed(exc) from None
            return result

        def serialise_env(self: Any) -> None:
            from fsjobstore.jobstore import FsspecJobStore

            if not isinstance(getattr(self, "_jobStore", None), FsspecJobStore):
                original_serialise(self)
                return
            _write_environment(self._jobStore)

        for function, original in (
            (serialise_env, original_serialise),
            (get_job_store, original_get),
            (parse_locator, original_parse),
            (canonical_locator, original_canonical),
            (resume_job_store, original_resume),
            (enter, original_enter),
        ):
            function.__doc__ = original.__doc__
            function.__name__ = original.__name__
            function.__qualname__ = original.__qualname__
            function.__wrapped__ = original  # type: ignore[union-attr]

        toil_class.getJobStore = classmethod(get_job_store)
        toil_class.parseLocator = staticmethod(parse_locator)
        toil_class.canonical_locator = classmethod(canonical_locator)
        toil_class.resumeJobStore = classmethod(resume_job_store)
        toil_class.__enter__ = enter
        toil_class._serialiseEnv = serialise_env
        patch_options(module)
        patch_utility_parser(module)
        _patch_url_schemes()
        _keep_own_loggers()
        report_utility_errors()
        setattr(toil_class, _MARK, True)


def _write_environment(job_store: Any) -> None:
    """``Toil._serialiseEnv`` for fsspec stores: the leader's environment minus credentials.

    Toil stores the leader's environment for workers to restore; credentials
    held in variables (``AWS_SECRET_ACCESS_KEY``, ``AZURE_STORAGE_CONNECTION_STRING``,
    ``FSSPEC_*`` with a secret...) would end up in the bucket.  See
    :func:`fsjobstore._worker_env.shareable_environment`.
    """
    import os
    import pickle

    from fsjobstore._worker_env import shareable_environment

    with job_store.write_shared_file_stream("environment.pickle") as stream:
        pickle.dump(shareable_environment(os.environ), stream, pickle.HIGHEST_PROTOCOL)


def _opening_failed(exc: BaseException) -> BaseException:
    """*exc*, raised while a workflow or utility opened an fsspec store, for Toil.

    A :class:`~fsjobstore.jobstore.StoreOpenError` with the same message: a
    ``LocatorException``, which Toil's runners report on one line.  The message
    names the store and the backend's error; the backend's own traceback is
    logged for ``--logDebug`` only.
    """
    from fsjobstore.jobstore import StoreOpenError

    if isinstance(exc, StoreOpenError):
        return exc
    _debug("fsjobstore: opening the job store failed", exc_info=exc)
    return StoreOpenError(str(exc))


def _patch_url_schemes() -> None:
    """Let Toil's WDL runner take ``az://``, ``sftp://``... strings for URLs.

    ``toil.lib.io`` lists the URL schemes Toil knows (``STANDARD_SCHEMES`` and the
    lists made from it) and ``toil.wdl.wdltoil`` reads them to tell a URL from a
    relative path, so an ``az://`` input would be looked for on local disk.  The
    schemes fsjobstore has a profile for, and Toil has no handler of its own for,
    are added to those lists (in place: the functions read them at call time);
    ``toil_url_access_fsspec`` reads and writes them.
    """
    io = sys.modules.get("toil.lib.io")
    if io is None:
        return
    from fsjobstore.backends import PROFILES
    from fsjobstore.locator import TOIL_SCHEMES

    schemes = [f"{name}:" for name, profile in PROFILES.items()
               if name not in TOIL_SCHEMES and not profile.local]
    for list_name in ("STANDARD_SCHEMES", "REMOTE_SCHEMES", "ALL_SCHEMES"):
        known = getattr(io, list_name, None)
        if isinstance(known, list):
            known.extend(scheme for scheme in schemes if scheme not in known)


def _keep_own_loggers() -> None:
    """Keep Toil from setting fsjobstore's loggers to CRITICAL (see
    :mod:`fsjobstore._toil_logging`)."""
    stats_and_logging = sys.modules.get("toil.statsAndLogging")
    if stats_and_logging is None:
        return
    from fsjobstore._toil_logging import keep_own_loggers

    keep_own_loggers(stats_and_logging)


def _refuse_private_store(toil: Any) -> None:
    """Fail a workflow whose job store its worker processes cannot see.

    A ``memory://`` store lives in one process; Toil workers run in others
    unless ``--debugWorker`` runs them in the leader.  The check is here, not
    in ``FsspecJobStore.initialize``, because Toil's job-store tests use memory
    stores directly.
    """
    job_store = getattr(toil, "_jobStore", None)
    config = getattr(toil, "config", None)
    if job_store is None or config is None or getattr(config, "debugWorker", False):
        return
    from fsjobstore.jobstore import FsspecJobStore

    if not isinstance(job_store, FsspecJobStore):
        return
    if job_store.storage.capabilities.shared_between_processes:
        return
    if not getattr(config, "restart", False):
        try:  # created a moment ago by Toil.__enter__: leave nothing behind
            job_store.destroy()
        except Exception as exc:
            _debug("fsjobstore: could not remove %s: %r", job_store.locator, exc)
    from fsjobstore.errors import UnsupportedError

    raise UnsupportedError(
        f"the job store {job_store.locator} lives in this process's memory, but Toil "
        "runs jobs in separate worker processes, which would see an empty store. Add "
        "--debugWorker to run every job inside the leader (single_machine batch system), "
        "or use a store other processes can reach, such as fsspec:file:///absolute/path"
    )
