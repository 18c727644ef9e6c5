"""Toil's job-store suite on the s3 backend."""

from __future__ import annotations

from tests.toil_suite._base import FsspecSuite


class TestS3JobStore(FsspecSuite):
    __test__ = True
    backend_name = "s3"
