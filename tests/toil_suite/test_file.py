"""Toil's job-store suite on the file backend."""

from __future__ import annotations

from tests.toil_suite._base import FsspecSuite


class TestLocalJobStore(FsspecSuite):
    __test__ = True
    backend_name = "file"
