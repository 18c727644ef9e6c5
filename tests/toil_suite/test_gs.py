"""Toil's job-store suite on the gs backend."""

from __future__ import annotations

from tests.toil_suite._base import FsspecSuite


class TestGcsJobStore(FsspecSuite):
    __test__ = True
    backend_name = "gs"

