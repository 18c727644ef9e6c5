"""Real loopback storage servers for the test-suite, as session-scoped pytest fixtures.

Load it from ``tests/conftest.py`` with ``pytest_plugins = ["tests.servers"]`` *before* anything
imports gcsfs or botocore: the environment set below must be in place first.

Every server runs as a subprocess on an ephemeral 127.0.0.1 port, started and stopped by
:mod:`tests._server_kit`. Under xdist each worker starts its own.

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

import getpass  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from tests._server_kit import (  # noqa: E402
    banner,
    find_azurite,
    find_fake_gcs,
    find_moto,
    find_sshd,
    http_status,
    require_module,
    start,
)

__all__ = ["BACKEND_NAMES", "BUCKET", "Backend", "require_module"]

BUCKET = "fsjobstore-tests"
BACKEND_NAMES = ("memory", "file", "s3", "az", "gs", "sftp", "ftp")

AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


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

    def reach_in_process(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Let plain URLs reach the store in this process, as :attr:`env` does in a
        subprocess: fsspec read the ``FSSPEC_*`` variables (the SFTP key) into its
        configuration when imported, before a fixture set them, so it gets them too."""
        import fsspec.config

        for name, value in self.env.items():
            monkeypatch.setenv(name, value)
        conf: dict[str, dict[str, Any]] = {}
        fsspec.config.set_conf_env(conf, self.env)
        for protocol, options in conf.items():
            monkeypatch.setitem(fsspec.config.conf, protocol,
                                {**fsspec.config.conf.get(protocol, {}), **options})



def _make_bucket(backend: Backend, bucket: str = BUCKET) -> None:
    fs = backend.filesystem()
    fs.mkdir(bucket)


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
    argv = find_moto()
    workdir = tmp_path_factory.mktemp("moto")
    server = start(
        "s3",
        workdir,
        lambda port: [*argv, "-H", "127.0.0.1", "-p", str(port)],
        lambda port: http_status(f"http://127.0.0.1:{port}/moto-api/") == 200,
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
    azurite = find_azurite()
    workdir = tmp_path_factory.mktemp("azurite")
    server = start(
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
            http_status(f"http://127.0.0.1:{port}/{AZURITE_ACCOUNT}?comp=list") is not None
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
    binary = find_fake_gcs()
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

    server = start(
        "gs",
        workdir,
        argv,
        lambda port: http_status(f"http://127.0.0.1:{port}/storage/v1/b") == 200,
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
    sshd, keygen = find_sshd()
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

    server = start("sftp", workdir, argv, banner(b"SSH-"))
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

    server = start("ftp", workdir, argv, banner(b"220"))
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
