"""Toil stores the leader's environment for its workers: never its credentials."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from tests.integration.toil_run import EXAMPLES, RUN_OPTIONS, fanout_expected, run, toil_env, tool

pytestmark = pytest.mark.integration

SECRET = "hunter2-in-the-environment"


def test_credentials_in_the_environment_stay_out_of_the_store(tmp_path: Path) -> None:
    store = tmp_path / "store"
    output = tmp_path / "result.txt"
    env = toil_env({
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "AZURE_STORAGE_CONNECTION_STRING": f"AccountName=a;AccountKey={SECRET}",
        "FSSPEC_S3": json.dumps({"client_kwargs": {"aws_secret_access_key": SECRET}}),
        "FSJOBSTORE_TEST_PLAIN": "kept",
    })
    run([tool("python"), str(EXAMPLES / "fanout.py"), "--jobStore", f"fsspec:{store.as_uri()}",
         *RUN_OPTIONS, "--chunks", "2", "--clean", "never",
         (EXAMPLES / "input.txt").as_uri(), output.as_uri()], env)
    # The workers ran (they restore the stored environment, and inherit the rest).
    assert output.read_text("utf-8") == fanout_expected(
        (EXAMPLES / "input.txt").read_text("utf-8"), 2)
    stored = pickle.loads((store / "shared" / "environment.pickle").read_bytes())
    assert stored["FSJOBSTORE_TEST_PLAIN"] == "kept"
    assert not {"AWS_SECRET_ACCESS_KEY", "AZURE_STORAGE_CONNECTION_STRING", "FSSPEC_S3"} & set(
        stored)
    leaks = [p for p in store.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert not leaks
