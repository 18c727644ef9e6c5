"""Toil's job-store suite on a location you name: ``FSJOBSTORE_TEST_URL``.

The other modules here run the suite on loopback servers the test session
starts. This one runs it under any fsspec URL, such as a real bucket or an
S3-compatible endpoint (MinIO, Ceph), with the credentials and endpoint taken
from the environment or fsspec's configuration, as Toil's workers take them
(docs/toil.md)::

    FSJOBSTORE_TEST_URL=s3://my-bucket/fsjobstore-tests \\
    AWS_ENDPOINT_URL=https://minio.example:9000 \\
        .venv/bin/python -m pytest -n 2 tests/toil_suite/test_external.py

It needs the test extra (``pip install '.[test]'``).  Each test makes its own
store below the URL and destroys it.  Without the variable the module is skipped.
"""

from __future__ import annotations

import os

import pytest

from fsjobstore.errors import UnsupportedError
from tests.servers import Backend
from tests.toil_suite._base import FsspecSuite

URL = os.environ.get("FSJOBSTORE_TEST_URL", "").rstrip("/")

if not URL:
    pytest.skip("set FSJOBSTORE_TEST_URL to an fsspec URL to run Toil's suite there",
                allow_module_level=True)


class TestExternalJobStore(FsspecSuite):
    __test__ = True
    backend_name = "external"

    @pytest.fixture(autouse=True, scope="class")
    @classmethod
    def _bind_backend(cls, request: pytest.FixtureRequest) -> None:
        cls.backend = Backend(name="external", base_url=URL)

    def testSharedFiles(self) -> None:
        # Its last step asks for a public URL: SFTP, FTP and protocols without a
        # profile have no signed URLs.
        try:
            super().testSharedFiles()
        except UnsupportedError as exc:
            pytest.xfail(str(exc))
