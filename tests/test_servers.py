"""Smoke tests for the loopback server fixtures in ``tests/servers.py``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.servers import Backend

# Register the fixture plugin unless a conftest already imported it (importing it here first
# would stop pytest from registering it as a plugin later).
pytest_plugins: list[str] = [] if "tests.servers" in sys.modules else ["tests.servers"]

BACKEND_NAMES = ("memory", "file", "s3", "az", "gs", "sftp", "ftp")

EXPECTED_CLASS = {
    "memory": "fsspec.implementations.memory.MemoryFileSystem",
    "file": "fsspec.implementations.local.LocalFileSystem",
    "s3": "s3fs.core.S3FileSystem",
    "az": "adlfs.spec.AzureBlobFileSystem",
    "gs": "gcsfs.core.GCSFileSystem",
    "sftp": "sshfs.spec.SSHFileSystem",
    "ftp": "fsspec.implementations.ftp.FTPFileSystem",
}

CHILD = textwrap.dedent(
    """
    import sys
    import fsspec

    fs, root = fsspec.url_to_fs(sys.argv[1])
    fs.makedirs(root, exist_ok=True)
    fs.pipe_file(root + "/from-child", b"child data")
    assert fs.cat_file(root + "/from-child") == b"child data"
    assert fs.cat_file(root + "/from-parent") == b"parent data"
    print(type(fs).__module__ + "." + type(fs).__qualname__)
    """
)


def _classname(fs: Any) -> str:
    return f"{type(fs).__module__}.{type(fs).__qualname__}"


def _root(backend: Backend) -> tuple[Any, str]:
    """The backend's filesystem and the path of a fresh store directory on it."""
    fs = backend.filesystem()
    path: str = fs._strip_protocol(backend.new_url())
    fs.makedirs(path, exist_ok=True)
    return fs, path


def test_backend_names(backend: Backend) -> None:
    assert backend.name in BACKEND_NAMES
    assert backend.base_url.split("://", 1)[0] == backend.name
    url = backend.new_url()
    assert url.startswith(backend.base_url + "/")
    assert url != backend.new_url()
    assert _classname(backend.filesystem()) == EXPECTED_CLASS[backend.name]


def test_pipe_cat_ls_rm(backend: Backend) -> None:
    fs, root = _root(backend)
    fs.pipe_file(f"{root}/a", b"alpha")
    fs.makedirs(f"{root}/sub", exist_ok=True)  # local and sftp need parent dirs
    fs.pipe_file(f"{root}/sub/b", b"beta" * 1000)
    assert fs.cat_file(f"{root}/a") == b"alpha"
    assert fs.info(f"{root}/sub/b")["size"] == 4000
    names = sorted(p.rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(root, detail=False))
    assert names == ["a", "sub"]
    assert fs.find(root) == [f"{root}/a", f"{root}/sub/b"]
    fs.rm_file(f"{root}/a")
    assert not fs.exists(f"{root}/a")
    fs.rm(root, recursive=True)
    fs.invalidate_cache()
    assert not fs.exists(f"{root}/sub/b")


def test_open_write_read(backend: Backend) -> None:
    fs, root = _root(backend)
    data = bytes(range(256)) * 4096  # 1 MiB
    with fs.open(f"{root}/big", "wb") as f:
        for i in range(0, len(data), 100_000):
            f.write(data[i : i + 100_000])
    with fs.open(f"{root}/big", "rb") as f:
        f.seek(500_000)
        assert f.read(10) == data[500_000:500_010]
    assert fs.cat_file(f"{root}/big") == data


def test_two_filesystems_see_the_same_store(backend: Backend) -> None:
    fs, root = _root(backend)
    fs.pipe_file(f"{root}/shared", b"x")
    other = backend.filesystem()
    assert other is not fs
    assert other.cat_file(f"{root}/shared") == b"x"


@pytest.mark.parametrize("name", [n for n in BACKEND_NAMES if n != "memory"])
def test_subprocess_reaches_store_with_env_only(name: str, request: pytest.FixtureRequest) -> None:
    backend: Backend = request.getfixturevalue(f"{name}_backend")
    fs, root = _root(backend)
    url = backend.base_url + "/" + root.rstrip("/").rsplit("/", 1)[-1]
    fs.pipe_file(root + "/from-parent", b"parent data")
    # Only PATH/HOME and Backend.env: nothing inherited from this process's setup.
    env = {k: v for k, v in backend.subprocess_env().items() if k in ("PATH", "HOME", "LANG")}
    env.update(backend.env)
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, url],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == EXPECTED_CLASS[name]
    fs.invalidate_cache()
    assert fs.cat_file(root + "/from-child") == b"child data"
