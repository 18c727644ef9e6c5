"""Toil's job-store suite on the gs backend."""

from __future__ import annotations

import pytest

from tests.toil_suite._base import FsspecSuite


class TestGcsJobStore(FsspecSuite):
    __test__ = True
    backend_name = "gs"

    @pytest.mark.xfail(
        reason="gcsfs signs URLs only with service-account credentials; the emulator "
        "fixture connects anonymously",
        strict=True,
    )
    def testSharedFiles(self) -> None:
        super().testSharedFiles()
