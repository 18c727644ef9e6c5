"""Toil's job-store suite on FTP: a protocol without a profile (the conservative one)."""

from __future__ import annotations

import pytest

from tests.toil_suite._base import FsspecSuite


class TestFtpJobStore(FsspecSuite):
    __test__ = True
    backend_name = "ftp"

    @pytest.mark.xfail(reason="FTP has no signed URLs: get_shared_public_url raises", strict=True)
    def testSharedFiles(self) -> None:
        super().testSharedFiles()
