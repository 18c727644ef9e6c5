"""Toil's job-store suite on the sftp backend."""

from __future__ import annotations

import pytest

from tests.toil_suite._base import FsspecSuite


class TestSftpJobStore(FsspecSuite):
    __test__ = True
    backend_name = "sftp"

    @pytest.mark.xfail(reason="SFTP has no signed URLs: get_shared_public_url raises", strict=True)
    def testSharedFiles(self) -> None:
        super().testSharedFiles()
