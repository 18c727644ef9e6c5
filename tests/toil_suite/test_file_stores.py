"""Toil's own file-store suite (``toil.test.src.fileStoreTest``) on fsspec stores.

Toil's job-store suite calls the store directly; this one runs real workflows
whose jobs use Toil's non-caching file store on an ``fsspec:`` locator (the
leader in this process, workers in subprocesses), on a local directory, S3,
Azure Blob, GCS, SFTP and FTP (memory stores cannot reach worker processes).
Toil's caching suite takes about 16 minutes a backend here; its
``testDeleteLocalFile`` (a job reading ``"bogus"``) is covered by
``tests/integration/test_unknown_ids.py``.
"""

from __future__ import annotations

import os
import sys
from typing import ClassVar

import pytest
from toil.test.src.fileStoreTest import hidden

from tests.servers import Backend
from tests.toil_suite._base import UNCLOSED_FILES

pytestmark = pytest.mark.integration


class _OnFsspec(hidden.AbstractNonCachingFileStoreTest):
    __test__ = False
    # Toil's test code also calls its own deprecated camelCase names
    # (importFile, exportFile); that is not the store.
    pytestmark: ClassVar[list[pytest.MarkDecorator]] = [
        pytest.mark.filterwarnings("ignore:.*is deprecated.*:DeprecationWarning"),
        *UNCLOSED_FILES,
    ]
    backend_name: ClassVar[str]
    backend: ClassVar[Backend]

    @pytest.fixture(autouse=True)
    def _bind_backend(self, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                      ) -> None:
        type(self).backend = request.getfixturevalue(f"{self.backend_name}_backend")
        # Workers are subprocesses started by name: they need the venv's bin
        # directory and the backend's endpoint and credentials.
        bin_dir = os.path.dirname(sys.executable)
        monkeypatch.setenv("PATH", os.pathsep.join([bin_dir, os.environ.get("PATH", "")]))
        self.backend.reach_in_process(monkeypatch)  # the leader runs in this process

    def _getTestJobStore(self) -> str:
        return f"fsspec:{self.backend.new_url()}"


class TestNonCachingFileStoreOnLocal(_OnFsspec):
    __test__ = True
    backend_name = "file"


class TestNonCachingFileStoreOnS3(_OnFsspec):
    __test__ = True
    backend_name = "s3"


class TestNonCachingFileStoreOnAz(_OnFsspec):
    __test__ = True
    backend_name = "az"


class TestNonCachingFileStoreOnGs(_OnFsspec):
    __test__ = True
    backend_name = "gs"


class TestNonCachingFileStoreOnSftp(_OnFsspec):
    __test__ = True
    backend_name = "sftp"


class TestNonCachingFileStoreOnFtp(_OnFsspec):
    __test__ = True
    backend_name = "ftp"
