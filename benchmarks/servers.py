"""moto_server and the counting proxy as subprocesses on ephemeral 127.0.0.1 ports."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Proxy", "S3Servers", "aws_env", "counting_proxy", "moto_command", "s3_servers"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def moto_command() -> list[str] | None:
    """The command that starts moto's server (None if moto is not installed).

    ``moto_server`` beside this interpreter, then on PATH, then ``python -m moto.server``.
    """
    beside = Path(sys.executable).parent / "moto_server"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("moto_server")
    if found:
        return [found]
    if importlib.util.find_spec("moto") is not None:
        return [sys.executable, "-m", "moto.server"]
    return None


@dataclass
class Proxy:
    """A client for the proxy's control endpoints."""

    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, method: str, action: str) -> dict[str, object]:
        request = urllib.request.Request(f"{self.endpoint}/__proxy__/{action}", method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            value: dict[str, object] = json.loads(response.read())
        return value

    def counts(self) -> dict[str, int]:
        ops = self._call("GET", "counts")["ops"]
        return dict(ops) if isinstance(ops, dict) else {}

    def reset(self) -> None:
        self._call("POST", "reset")

    def set_latency(self, ms: float) -> None:
        self._call("POST", f"latency?ms={ms}")


@dataclass
class S3Servers:
    moto_port: int
    proxy: Proxy


def aws_env(endpoint: str) -> dict[str, str]:
    """Environment that points boto3, s3fs and Toil's workers at *endpoint*."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def _wait_http(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in time")


@contextmanager
def counting_proxy(upstream: str, workdir: Path, latency_ms: float = 0.0) -> Iterator[Proxy]:
    """The counting proxy (its own process) in front of the S3 server at *upstream*."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with (workdir / "proxy.log").open("wb") as log:  # the child keeps its own copy
        proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.proxy", "--upstream", upstream,
             "--latency-ms", str(latency_ms)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
            start_new_session=True, env=env, cwd=Path(__file__).resolve().parent.parent,
        )
    try:
        line = proc.stdout.readline().decode() if proc.stdout else ""
        if not line.startswith("PORT "):
            raise RuntimeError(f"proxy did not start: {line!r}; see {workdir / 'proxy.log'}")
        yield Proxy(int(line.split()[1]))
    finally:
        _stop(proc)
        if proc.stdout is not None:
            proc.stdout.close()


@contextmanager
def s3_servers(workdir: Path, latency_ms: float = 0.0) -> Iterator[S3Servers]:
    """moto_server plus the proxy in front of it; stopped (by PID) on exit."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    moto_log = (workdir / "moto.log").open("wb")
    moto = subprocess.Popen(
        # Without moto, "python -m moto.server" fails and its log says why.
        [*(moto_command() or [sys.executable, "-m", "moto.server"]), "-H", "127.0.0.1",
         "-p", str(port)],
        stdin=subprocess.DEVNULL, stdout=moto_log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/moto-api/", time.monotonic() + 60)
        with counting_proxy(f"http://127.0.0.1:{port}", workdir, latency_ms) as proxy:
            yield S3Servers(port, proxy)
    finally:
        _stop(moto)
        moto_log.close()
