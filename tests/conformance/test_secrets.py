"""Storage options (credentials) never reach the store's objects, errors, logs or repr."""

from __future__ import annotations

import logging
import traceback
import uuid

import pytest
import requests
from toil.common import Config
from toil.jobStores.abstractJobStore import NoSuchFileException

from fsjobstore._redact import redact_url
from fsjobstore.errors import FsJobStoreError
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.registration import _opening_failed
from fsjobstore.storage import Storage
from tests.conformance._helpers import all_keys, new_job
from tests.servers import Backend


def test_s3_credentials_stay_out_of_the_store(
    s3_backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    key_id = f"AKIA{uuid.uuid4().hex[:16].upper()}"
    options = {**s3_backend.storage_options, "key": key_id, "secret": secret}
    caplog.set_level(logging.DEBUG)
    store = FsspecJobStore(s3_backend.new_url(), **options)
    store.initialize(Config())
    job = new_job(store)
    with store.write_file_stream(str(job.jobStoreID), cleanup=True) as (f, file_id):
        f.write(b"payload")
    store.write_logs("hello")
    with pytest.raises(NoSuchFileException) as missing:
        store.read_file(file_id.replace("payload", "x").rsplit("/", 2)[0] + "/" + "0" * 32 + "/x",
                        "/dev/null")
    texts = [repr(store), repr(store.storage), str(missing.value), store.locator,
             str(store.get_env())]
    # Our own log lines and Toil's; botocore's DEBUG wire logs are its own business.
    texts += [r.getMessage() for r in caplog.records if r.name.startswith(("fsjobstore", "toil"))]
    contents = store.storage.read_many(all_keys(store))
    for value in (secret, key_id):
        assert all(value not in text for text in texts)
        assert all(value.encode() not in (data or b"") for data in contents.values())
    store.destroy()


@pytest.mark.parametrize("password", ["hunter22secret", "e"])
def test_a_password_in_the_url_is_scrubbed_and_only_it(password: str) -> None:
    storage = Storage(f"memory://user:{password}@scrub-url/x", {"skip_instance_cache": True})
    message = write_error(storage, ConnectionRefusedError(
        f"connection to sftp://user:{password}@host refused; Errno 111"))
    assert f":{password}@" not in message
    assert "ConnectionRefusedError: connection to sftp://user" in message  # not garbled
    assert "refused; Errno 111" in message


@pytest.mark.parametrize("option", ["token", "cookie", "client_cred", "sftp_pass"])
def test_backend_error_messages_are_scrubbed(option: str) -> None:
    """An error raised by the backend is reported without the credential in it."""
    secret = f"tok-{uuid.uuid4().hex}"
    storage = Storage("memory://scrub-test", {option: secret, "skip_instance_cache": True})

    class Leaky(Exception):
        pass

    message = write_error(storage, Leaky(f"denied for token={secret}"))
    assert secret not in message
    assert "***" in message


@pytest.mark.parametrize("parameter", ["X-Goog-Signature", "X-Goog-Credential", "access_token",
                                       "X-Amz-Security-Token", "sig", "api_key"])
def test_a_signed_query_is_scrubbed_from_errors(parameter: str) -> None:
    secret = f"s-{uuid.uuid4().hex}"
    storage = Storage("memory://scrub-query", {"skip_instance_cache": True})
    message = write_error(storage, PermissionError(
        f"403 for https://h.example/o?alt=media&{parameter}={secret}&x=1"))
    assert secret not in message
    assert f"?alt=media&{parameter}=***&x=1" in message
    assert redact_url(f"gs://b/o?{parameter}={secret}") == f"gs://b/o?{parameter}=***"


def test_ordinary_query_parameters_are_kept() -> None:
    url = "https://h.example/o?max-keys=10&authSource=admin&keyword=k&sslkey=/etc/c.key"
    assert redact_url(url) == url
    assert redact_url("https://h.example/cb#access_token=t0k3n&state=1") == (
        "https://h.example/cb#access_token=***&state=1")


def test_a_backend_error_s_traceback_holds_no_credential(caplog: pytest.LogCaptureFixture) -> None:
    """--logDebug logs the traceback of a store that failed to open, with the
    backend's exception: gcsfs checks a raw token with a GET whose URL requests
    quotes in its error."""
    token, password = f"ya29.{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"
    storage = Storage("memory://scrub-traceback", {"token": token, "skip_instance_cache": True})
    try:
        raise requests.exceptions.ConnectionError(
            f"Max retries exceeded with url: /tokeninfo?access_token={token} "
            f"via http://proxy:{password}@p:3128")
    except requests.exceptions.ConnectionError as exc:
        failure = exc

    def fail(*args: object, **kwargs: object) -> None:
        raise failure

    storage.fs.pipe_file = fail
    with pytest.raises(FsJobStoreError) as caught:
        storage.write_bytes("shared/x", b"x")
    caplog.set_level(logging.DEBUG)
    raised = _opening_failed(caught.value)  # what registration does for Toil
    text = "".join(traceback.format_exception(caught.value)) + caplog.text + str(raised)
    assert "requests.exceptions.ConnectionError: Max retries exceeded" in text  # the cause is shown
    assert token not in text
    assert password not in text


def write_error(storage: Storage, failure: Exception) -> str:
    """The message of the error a write raises when the backend raises *failure*."""

    def fail(*args: object, **kwargs: object) -> None:
        raise failure

    storage.fs.pipe_file = fail
    with pytest.raises(FsJobStoreError) as caught:
        storage.write_bytes("shared/x", b"x")
    return str(caught.value)
