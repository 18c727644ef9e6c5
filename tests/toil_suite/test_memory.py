"""Toil's job-store suite on the memory backend."""

from __future__ import annotations

from tests.toil_suite._base import FsspecSuite


class TestMemoryJobStore(FsspecSuite):
    __test__ = True
    backend_name = "memory"
