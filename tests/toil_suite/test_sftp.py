"""Toil's job-store suite on the sftp backend."""

from __future__ import annotations

from tests.toil_suite._base import FsspecSuite


class TestSftpJobStore(FsspecSuite):
    __test__ = True
    backend_name = "sftp"
