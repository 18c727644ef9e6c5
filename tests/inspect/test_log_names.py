"""Job names in a worker's message, as the logs table shows them."""

from __future__ import annotations

import json

import pytest

from fsjobstore._view_tables import parse_log


@pytest.mark.parametrize(("class_name", "shown"), [
    ("fanout.combine", "combine"),  # a Python job: its module dropped
    ("combine", "combine"),
    ("CWLJob wf.cwl.0.make.cwl", "CWLJob wf.cwl.0.make.cwl"),  # Toil's CWL step: whole
    ("ResolveIndirect wf.cwl._resolve", "ResolveIndirect wf.cwl._resolve"),
])
def test_a_job_name_keeps_what_tells_jobs_apart(class_name: str, shown: str) -> None:
    message = json.dumps({"jobs": [{"class_name": class_name, "succeeded": "True"}]})
    assert parse_log(message)["job_names"] == [shown]
