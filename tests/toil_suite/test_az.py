"""Toil's job-store suite on the az backend."""

from __future__ import annotations

from tests.toil_suite._base import FsspecSuite


class TestAzureJobStore(FsspecSuite):
    __test__ = True
    backend_name = "az"
