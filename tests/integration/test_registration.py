"""The Toil registration: ``register()``, the start-up hook and the locator grammar."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.toil_run import toil_env

pytestmark = pytest.mark.integration


def _python(code: str, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], env=toil_env(env),
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stdout.strip()


def test_register_is_idempotent() -> None:
    from toil.common import Toil

    from fsjobstore import register
    from fsjobstore.registration import is_patched

    register()
    patched = Toil.__dict__["getJobStore"].__func__
    register()
    assert is_patched()
    assert Toil.__dict__["getJobStore"].__func__ is patched
    original = patched.__wrapped__
    assert not hasattr(original, "__wrapped__")  # wrapped once, not twice


@pytest.mark.parametrize(
    ("locator", "expected"),
    [
        ("fsspec:s3://bucket/prefix", "fsspec:s3://bucket/prefix"),
        ("s3://bucket/prefix", "fsspec:s3://bucket/prefix"),
        ("memory://a/b", "fsspec:memory://a/b"),
        ("fsspec:file:///tmp/store", "fsspec:file:///tmp/store"),
        ("/tmp/toil-store", "file:/tmp/toil-store"),
        ("aws:us-west-2:store", "aws:us-west-2:store"),
        # fsspec resolves a relative local path against the working directory, and
        # Toil's workers may start in another one: the leader's is fixed in.
        ("fsspec:file://runs/store", f"fsspec:file://{os.getcwd()}/runs/store"),
        ("local://store", f"fsspec:local://{os.getcwd()}/store"),
        ("fsspec:file://./runs/store", f"fsspec:file://{os.getcwd()}/runs/store"),
        ("fsspec:file://../store", f"fsspec:file://{os.path.dirname(os.getcwd())}/store"),
        # URL schemes are case-insensitive; fsspec's protocol names are lower case.
        ("fsspec:S3://bucket/Prefix", "fsspec:s3://bucket/Prefix"),
        ("Memory://a/B", "fsspec:memory://a/B"),
    ],
)
def test_locators_are_canonical(locator: str, expected: str) -> None:
    from toil.common import Toil
    from toil.options.common import parse_jobstore

    from fsjobstore import register

    register()
    assert Toil.canonical_locator(locator) == expected
    assert parse_jobstore(locator) == expected


@pytest.mark.parametrize("bad", ["s3://b/a b", "s3://b/a;rm", "s3://b/$HOME", "s3://b/a\tb",
                                 "fsspec:s3://b/`x`", "fsspec:", "fsspec:relative/path",
                                 "fsspec:s3://", "gs:///", "fsspec:az://", "s3://b//run1",
                                 # fsspec's local root is "": the working directory
                                 "fsspec:file:///", "fsspec:file://", "fsspec:local:///",
                                 "fsspec:/", "fsspec://", "fsspec:///",
                                 # a forgotten protocol: the local path /bucket/run
                                 "fsspec://bucket/run",
                                 # no bucket: "/bkt/x" keys, which listings never return
                                 "fsspec:s3:///bkt/x", "gs:///bkt/x", "fsspec:az:///c/x",
                                 # fsspec's HTTP cannot list, rename or delete
                                 "http://127.0.0.1:1/b/y", "fsspec:https://example.com/x"])
def test_unsafe_locators_are_refused(bad: str) -> None:
    from toil.common import Toil
    from toil.options.common import parse_jobstore

    from fsjobstore import register
    from fsjobstore.errors import InvalidLocatorError

    register()
    with pytest.raises(argparse.ArgumentTypeError):
        parse_jobstore(bad)
    with pytest.raises(InvalidLocatorError):
        Toil.getJobStore(bad)


@pytest.mark.parametrize(("locator", "reason"), [
    ("fsspec:nosuch://x", "names the protocol 'nosuch', which fsspec does not know"),
    ("nosuch://x", "names the protocol 'nosuch', which fsspec does not know"),
    # Toil would take "gs" for one of its own job-store kinds
    ("gs:/bucket/run", "needs '//' after 'gs:'"),
    ("az:container/run", "needs '//' after 'az:'"),
    ("fsspec:gs:/bucket/run", "needs '//' after 'gs:'"),
    # the login directory, or the server's root
    ("fsspec:sftp://me@host:2222", "names no directory on the server"),
    ("fsspec:sftp://me@host:2222/", "names no directory on the server"),
    ("ftp://host//", "names no directory on the server"),
    # refused before a leader starts, not when the store is first opened
    ("fsspec:ftp://host/../../escape", "has a '.' or '..' path component"),
    ("fsspec:s3://bucket/run/./x", "has a '.' or '..' path component"),
    ("fsspec:file:///tmp/runs/../x", "has a '.' or '..' path component"),
])
def test_a_locator_toil_cannot_use_is_refused_when_parsed(locator: str, reason: str) -> None:
    from toil.options.common import parse_jobstore

    from fsjobstore import register

    register()
    with pytest.raises(argparse.ArgumentTypeError, match=reason):
        parse_jobstore(locator)


@pytest.mark.parametrize("url", ["sftp://me:hunter22@host/store", "ftp://me:hunter22@host:21/s"])
def test_a_password_in_the_locator_is_refused_without_repeating_it(url: str) -> None:
    # Toil pickles the locator into the store's config and puts it on every
    # worker's command line, so a password there would leak.
    from toil.common import Toil
    from toil.options.common import parse_jobstore

    from fsjobstore import FsspecJobStore, register
    from fsjobstore.errors import InvalidLocatorError

    register()
    with pytest.raises(argparse.ArgumentTypeError) as parsed:
        parse_jobstore(f"fsspec:{url}")
    with pytest.raises(InvalidLocatorError, match="holds a password") as opened:
        Toil.getJobStore(url)
    with pytest.raises(InvalidLocatorError):
        FsspecJobStore(url)
    for caught in (parsed, opened):
        assert "hunter22" not in str(caught.value)
        assert "me:***@" in str(caught.value)


@pytest.mark.parametrize("url", ["sftp://me@host:22/store",
                                 "abfs://container@account.dfs.core.windows.net/run1"])
def test_a_user_name_in_the_locator_is_kept(url: str) -> None:
    from fsjobstore.locator import make_locator

    assert make_locator(url) == f"fsspec:{url}"


def test_hook_patches_toil_in_a_new_interpreter() -> None:
    code = "from toil.common import Toil; print(Toil.getJobStore('s3://b/p'))"
    assert _python(code) == "FsspecJobStore('s3://b/p')"


def test_hook_teaches_toil_the_fsspec_url_schemes() -> None:
    # Toil's WDL runner tells URLs from relative paths by toil.lib.io's scheme lists.
    code = ("import toil.common; from toil.lib.io import is_any_url, is_remote_url; "
            "print(is_remote_url('az://c/x'), is_remote_url('sftp://h/x'), "
            "is_remote_url('s3://b/x'), is_any_url('input.txt'), is_remote_url('file:///x'))")
    assert _python(code) == "True True True False False"
    assert _python(code, FSJOBSTORE_NO_HOOK="1") == "False False True False False"


def test_hook_opt_out() -> None:
    code = ("import toil.common, fsjobstore.registration as r; "
            "print(r.is_patched(), toil.common.Toil.parseLocator('s3://b/p'))")
    assert _python(code, FSJOBSTORE_NO_HOOK="1") == "False ('s3', '//b/p')"


def test_importing_the_package_imports_neither_toil_nor_fsspec() -> None:
    code = ("import sys, fsjobstore, fsjobstore.registration; "
            "print(sorted(m for m in ('toil', 'fsspec', 'typing') if m in sys.modules))")
    assert _python(code) == "[]"


def test_worker_environment_forwards_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from fsjobstore.jobstore import FsspecJobStore

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-forwarded")
    env = FsspecJobStore("fsspec:memory://env-check/store").get_env()
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9"
    assert "AWS_SECRET_ACCESS_KEY" not in env


def test_a_locator_set_in_a_script_is_made_canonical(tmp_path: Path) -> None:
    # Set on the options after parsing, not through --jobStore: Toil's config,
    # which workers and promises read, gets the canonical form all the same.
    import uuid

    from toil.common import Toil
    from toil.job import Job

    from fsjobstore import register

    register()
    options = Job.Runner.getDefaultOptions(str(tmp_path / "unused"))
    url = f"memory://fsjobstore-canonical/{uuid.uuid4().hex}"
    options.jobStore = url
    options.debugWorker = True  # a memory store: jobs in the leader
    options.logLevel = "ERROR"
    options.workDir = str(tmp_path)
    with Toil(options) as toil:
        assert toil.config.jobStore == f"fsspec:{url}"
        assert toil._jobStore.locator == f"fsspec:{url}"
        toil._jobStore.destroy()
