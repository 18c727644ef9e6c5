"""What get_env() passes to Toil's workers: reachability, never credentials."""

from __future__ import annotations

import json

from fsjobstore._worker_env import shareable_environment, worker_environment


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


def test_nested_secrets_keep_an_fsspec_variable_back() -> None:
    for value in ({"client_kwargs": {"aws_secret_access_key": "hunter2"}},
                  {"storage_options": {"secret": "hunter2"}},
                  {"headers": {"Authorization": "Bearer hunter2"}},
                  {"headers": [{"Cookie": "session=hunter2"}]},
                  {"client_kwargs": {"headers": {"X-Api-Key": "hunter2"}}}):
        env = worker_environment(["s3"], {}, {"FSSPEC_S3": json.dumps(value)})
        assert "hunter2" not in json.dumps(env), value


def test_the_stored_environment_holds_no_credentials() -> None:
    environ = {
        "PATH": "/usr/bin", "LANG": "C.UTF-8", "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_SECRET_ACCESS_KEY": "hunter2", "AWS_SESSION_TOKEN": "hunter2",
        "AZURE_STORAGE_CONNECTION_STRING": "AccountKey=hunter2", "GITHUB_TOKEN": "hunter2",
        "FSSPEC_S3": json.dumps({"client_kwargs": {"aws_secret_access_key": "hunter2"}}),
        "FSSPEC_HTTP": '{"timeout": 5}',
    }
    kept = shareable_environment(environ)
    assert "hunter2" not in json.dumps(kept)
    assert kept == {"PATH": "/usr/bin", "LANG": "C.UTF-8", "AWS_DEFAULT_REGION": "eu-west-1",
                    "FSSPEC_HTTP": '{"timeout": 5}'}


def test_a_password_in_a_url_stays_out_whatever_the_variable_is_called() -> None:
    environ = {
        "PATH": "/usr/bin",
        "HTTPS_PROXY": "http://alice:hunter2@proxy.example:3128",
        "PIP_INDEX_URL": "https://alice:hunter2@pypi.example/simple",
        "AWS_ENDPOINT_URL": "https://alice:hunter2@minio.example",
        "FSSPEC_S3": json.dumps({"endpoint_url": "https://alice:hunter2@minio.example"}),
        "NO_PROXY": "localhost",
        "HTTP_PROXY": "http://proxy.example:3128",  # no password: kept
    }
    kept = shareable_environment(environ)
    assert kept == {"PATH": "/usr/bin", "NO_PROXY": "localhost",
                    "HTTP_PROXY": "http://proxy.example:3128"}
    options = {"endpoint_url": "https://alice:hunter2@minio.example", "use_ssl": True}
    assert worker_environment(["s3"], options, environ) == {}  # FSSPEC_S3 left to workers
    del environ["FSSPEC_S3"]
    env = worker_environment(["s3"], options, environ)
    assert env == {"FSSPEC_S3": json.dumps({"use_ssl": True})}


def test_a_signed_url_stays_out_whatever_the_variable_or_option_is_called() -> None:
    signed = ("https://storage.example/b/o?X-Goog-Algorithm=GOOG4-RSA-SHA256"
              "&X-Goog-Credential=svc%2F20261129&X-Goog-Signature=0a1b2c3d")
    environ = {"PATH": "/usr/bin", "INPUT_URL": signed,
               "FEED": "https://feed.example/x?access_token=hunter2",
               "PLAIN": "https://feed.example/x?page=2"}
    assert shareable_environment(environ) == {"PATH": "/usr/bin",
                                              "PLAIN": "https://feed.example/x?page=2"}
    options = {"endpoint_url": "https://minio.example/?sig=hunter2", "use_ssl": True}
    assert worker_environment(["s3"], options, {}) == {"FSSPEC_S3": json.dumps({"use_ssl": True})}


def test_ordinary_query_parameters_keep_a_variable() -> None:
    environ = {"MONGO_URI": "mongodb://db/app?authSource=admin&connection_timeout=30",
               "SEARCH": "https://s.example/?keyword=foo&bypass=local&passwordCharacterEncoding=utf8",
               "TLS": "postgres://db/app?sslkey=/etc/client.key",
               "CALLBACK": "https://app.example/cb#access_token=hunter2"}
    assert set(shareable_environment(environ)) == {"MONGO_URI", "SEARCH", "TLS"}


def test_credentials_under_other_names_stay_out() -> None:
    environ = {
        "MYSQL_PWD": "s3cret-1",
        "GH_PAT": "ghp_s3cret2",
        "AzureWebJobsStorage": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=s3cret3;",
        "PIP_EXTRA_INDEX_URL": "https://s3cret4@pypi.example/simple",
        "PWD": "/home/me",
        "PATH": "/bin",
        "REPO": "ssh://git@github.com/org/repo.git",
    }
    assert shareable_environment(environ) == {
        "PWD": "/home/me", "PATH": "/bin", "REPO": "ssh://git@github.com/org/repo.git"}
