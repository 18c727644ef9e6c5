"""Toil's own job-store test suite, bound to :class:`FsspecJobStore` on one backend.

``AbstractJobStoreTest.Test`` is Toil's specification of a job store.  Each
``test_<backend>.py`` module subclasses :class:`FsspecSuite` with a backend name;
the backend's server comes from the session fixtures in ``tests.servers``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socketserver
import uuid
from typing import Any, ClassVar

import pytest
from toil.lib.io import mkdtemp
from toil.test.jobStores.jobStoreTest import AbstractJobStoreTest

from fsjobstore.jobstore import FsspecJobStore
from tests.gcs_signing import sign_options
from tests.servers import Backend

#: Toil's suites leave files unclosed; that is Toil's test code, not the store.
UNCLOSED_FILES: list[pytest.MarkDecorator] = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


class FsspecSuite(AbstractJobStoreTest.Test):
    """Toil's job-store suite on ``FsspecJobStore``; subclasses set ``backend_name``."""

    __test__ = False
    pytestmark: ClassVar[list[pytest.MarkDecorator]] = UNCLOSED_FILES
    backend_name: ClassVar[str]
    backend: ClassVar[Backend]

    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _bind_backend(cls, request: pytest.FixtureRequest) -> None:
        cls.backend = request.getfixturevalue(f"{request.cls.backend_name}_backend")

    @pytest.fixture(autouse=True)
    def _stub_ftp_binds_over_time_wait(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Let ``testImportFtpFile``'s stub server bind a port in TIME_WAIT.

        Toil's FTP stub (``stubserver``) serves PASV on its own port + 2 with a plain
        ``socketserver.TCPServer``, which binds without ``SO_REUSEADDR``.  Other
        tests on this machine leave thousands of closed connections in TIME_WAIT
        for a minute (the FTP backend: one data connection per transfer), so that
        port is often taken and the test fails with ``EOFError`` however the job
        store behaves.  Only the stub's bind is changed; the import is the same.
        """
        monkeypatch.setattr(socketserver.TCPServer, "allow_reuse_address", True)

    def _url(self) -> str:
        return f"{self.backend.base_url}/{self.namePrefix}"

    def _createJobStore(self) -> FsspecJobStore:
        return FsspecJobStore(
            self._url(),
            sign_options=sign_options(self.backend_name),
            **self.backend.storage_options,
        )

    def _corruptJobStore(self) -> None:
        # Toil's own tests corrupt a store by removing it from under the job store.
        storage = self.jobstore_initialized.storage
        storage.fs.rm(storage.root, recursive=True)

    # The import/export helpers describe an *external* store; a local directory
    # serves, as in Toil's FileJobStoreTest.
    def _prepareTestFile(self, store: str, size: int | None = None) -> Any:
        local = os.path.join(store, f"testfile_{uuid.uuid4()}")
        url = f"file://{local}"
        if size is None:
            return url
        content = os.urandom(size)
        with open(local, "wb") as f:
            f.write(content)
        return url, hashlib.md5(content).hexdigest()

    def _hashTestFile(self, url: str) -> str:
        with open(url[len("file://") :], "rb") as f:
            return hashlib.md5(f.read()).hexdigest()

    def _createExternalStore(self) -> str:
        return str(mkdtemp())

    def _cleanUpExternalStore(self, store: str) -> None:
        shutil.rmtree(store, ignore_errors=True)
