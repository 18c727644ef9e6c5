"""What get_env() passes to Toil's workers: reachability, never credentials."""

from __future__ import annotations

import json

from fsjobstore._worker_env import worker_environment


def test_endpoints_forwarded_secrets_dropped() -> None:
    environ = {
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_SECRET_ACCESS_KEY": "hunter2",
        "FSSPEC_S3_SECRET": "hunter2",
        "FSSPEC_S3": json.dumps({"secret": "hunter2", "endpoint_url": "http://e"}),
        "HOME": "/root",
    }
    env = worker_environment(["s3", "s3a"], {"key": "AKIA", "use_ssl": False}, environ)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:9000"
    assert "hunter2" not in json.dumps(env)
    assert "AKIA" not in json.dumps(env)
    # FSSPEC_S3 holds a credential: workers keep their own value, never a copy
    # with parts removed (that would replace the one they inherit).
    assert "FSSPEC_S3" not in env
    assert json.loads(env["FSSPEC_S3A"]) == {"use_ssl": False}
    assert "HOME" not in env


def test_plain_fsspec_config_is_forwarded() -> None:
    environ = {"FSSPEC_GS": json.dumps({"token": "anon"}), "FSSPEC_HTTP": '{"timeout": 5}'}
    env = worker_environment(["gs"], {"project": "p"}, environ)
    assert "FSSPEC_GS" not in env  # "token" looks like a credential
    assert json.loads(env["FSSPEC_HTTP"]) == {"timeout": 5}


def test_nothing_to_forward() -> None:
    assert worker_environment(["file"], {}, {"PATH": "/bin"}) == {}
