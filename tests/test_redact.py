"""Credentials kept out of URLs, messages, tracebacks and log records."""

from __future__ import annotations

import builtins
import logging
import sys
import traceback

import pytest
import requests
import urllib3

from fsjobstore._redact import (
    RedactedError,
    holds_secret,
    looks_secret,
    redact_url,
    redacting_logger,
    scrub,
    scrub_exception,
    secret_values,
)

MARK = "PWMARK1234"


@pytest.mark.parametrize("url", [
    f"simplecache::sftp://me:{MARK}@host/path",  # every URL of a chained one
    f"sftp://me:ab#{MARK}@host/path",  # '#' and '?' end a URL parser's authority
    f"sftp://me:ab?{MARK}@host/path",
    f"filecache::s3://b/k?X-Amz-Signature={MARK}",
    f"ftp://user:p@{MARK}@127.0.0.1:9/x",  # the authority ends at the last '@'
])
def test_redact_url_hides_passwords_a_url_parser_misses(url: str) -> None:
    hidden = redact_url(url)
    assert MARK not in hidden
    assert "***" in hidden
    assert hidden.split("://", 1)[0] == url.split("://", 1)[0]  # the rest is kept


@pytest.mark.parametrize("url", ["sftp://me@host/p", "s3://b/dir:x/user@example.com/run",
                                 "file:///tmp/a b", "gs://b/k?alt=media",
                                 "cannot reach ftp://host:21, mail admin@example.com"])
def test_redact_url_keeps_urls_without_credentials(url: str) -> None:
    assert redact_url(url) == url


@pytest.mark.parametrize("value", [
    "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=" + MARK + ";",
    "BlobEndpoint=https://a.blob;SharedAccessSignature=sv=1&sig=" + MARK,
    f"https://{MARK}@pypi.example/simple",
    f"https://{MARK}@o0.ingest.sentry.io/1",
])
def test_connection_strings_and_web_user_tokens_are_secrets(value: str) -> None:
    assert holds_secret(value)
    assert MARK not in scrub(value) or value.startswith("https://")  # a user part is kept


@pytest.mark.parametrize(("name", "secret"), [
    ("MYSQL_PWD", True), ("GH_PAT", True), ("db.pwd", True),
    ("PWD", False), ("OLDPWD", False), ("PATH", False), ("PATTERN", False),
])
def test_secret_names(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


def test_credentials_in_lists_tuples_sets_and_bytes_are_secrets() -> None:
    # JSON (FSSPEC_WEBDAV_AUTH='["me", "..."]', -o auth=...) has lists, no tuples.
    options = {"auth": ["user", MARK], "client_kwargs": {"auth": (MARK + "0", "x-oauth-basic")},
               "token": {MARK + "1"}, "password": MARK.encode() + b"2",
               "headers": [("Authorization", f"Bearer {MARK}3"), ("Accept", "text/plain")]}
    found = secret_values(options)
    for secret in (MARK, MARK + "0", MARK + "1", MARK + "2", f"Bearer {MARK}3"):
        assert secret in found
    assert "text/plain" not in found and "Authorization" not in found


@pytest.mark.parametrize("mode", ["anon", "google_default", "cache", "browser", "cloud"])
def test_gcsfs_token_modes_are_no_secrets(mode: str) -> None:
    assert secret_values({"token": mode}) == []
    assert secret_values({"token": mode + "X"}) == [mode + "X"]


def test_key_file_paths_are_no_secrets_key_material_is() -> None:
    # An error about a key file must name it; key material given in its place
    # (asyncssh reads any string there as a file name, and its error quotes it) not.
    multi_line = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{MARK}\n-----END OPENSSH PRIVATE KEY-----\n"
    one_line = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW" + MARK
    options = {"client_keys": ["/home/me/.ssh/id_ed25519", "id_rsa", multi_line, one_line],
               "known_hosts": ["/etc/ssh/keys/known_hosts", "~/.ssh/known_hosts"]}
    found = secret_values(options)
    assert sorted(found) == sorted([multi_line, repr(multi_line)[1:-1], one_line])
    error = f"No such file or directory: {multi_line!r}"
    assert MARK not in scrub(error, found)


def test_ssh_user_urls_are_not_secrets() -> None:
    assert not holds_secret("ssh://git@github.com/org/repo.git")


def _requests_failure() -> requests.exceptions.ConnectionError:
    """What gcsfs's token check raises offline: requests quotes the URL, token and all."""
    url = f"/tokeninfo?access_token={MARK}"
    try:
        try:
            raise urllib3.exceptions.MaxRetryError(None, url, reason=OSError("no name"))  # type: ignore[arg-type]
        except urllib3.exceptions.MaxRetryError as inner:
            raise requests.exceptions.ConnectionError(inner) from inner
    except requests.exceptions.ConnectionError as outer:
        return outer


class _OwnText(Exception):
    """An exception whose text comes from an attribute, not from its args."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def __str__(self) -> str:
        return f"failed: {self.url}"


def _chain(cause: BaseException) -> str:
    try:
        raise RuntimeError("wrapped") from cause
    except RuntimeError as exc:
        return "".join(traceback.format_exception(exc))


def test_a_chained_requests_error_loses_the_token_everywhere_in_its_traceback() -> None:
    failure = _requests_failure()
    assert MARK in _chain(failure)  # as raised, the traceback quotes it
    cleaned = scrub_exception(failure)
    assert cleaned is failure  # scrubbed in place: its type is kept
    assert MARK not in _chain(cleaned)
    assert "access_token=***" in str(cleaned)


def test_option_values_and_os_error_fields_are_scrubbed() -> None:
    failure = PermissionError(13, f"denied for {MARK}", f"/keys/{MARK}")
    cleaned = scrub_exception(failure, [MARK])
    assert isinstance(cleaned, PermissionError)  # callers still tell a 403 by its type
    assert MARK not in _chain(cleaned)


def test_an_exception_whose_text_cannot_be_cleaned_is_replaced() -> None:
    try:
        raise _OwnText(f"https://h/o?sig={MARK}") from ValueError(f"GET /o?token={MARK}")
    except _OwnText as exc:
        cleaned = scrub_exception(exc)
    assert isinstance(cleaned, RedactedError)
    assert "_OwnText: failed: https://h/o?sig=***" in str(cleaned)
    assert MARK not in _chain(cleaned)  # its cause too


def test_a_cyclic_chain_ends() -> None:
    first, second = ValueError(f"GET /o?sig={MARK}"), ValueError("b")
    first.__context__, second.__context__ = second, first
    assert MARK not in str(scrub_exception(first))


def test_redacting_logger_scrubs_messages_and_tracebacks(
        caplog: pytest.LogCaptureFixture) -> None:
    logger = redacting_logger("fsjobstore.test_redact")
    with caplog.at_level(logging.DEBUG, logger="fsjobstore.test_redact"):
        try:
            raise _OwnText(f"https://h/o?X-Goog-Signature={MARK}")
        except _OwnText as exc:
            logger.debug("reading failed: %s", exc, exc_info=True)
    assert "reading failed: failed: https://h/o?X-Goog-Signature=***" in caplog.text
    assert "Traceback" in caplog.text
    assert MARK not in caplog.text


def test_a_stand_in_replaces_its_exception_everywhere_in_a_cycle() -> None:
    leaky = _OwnText(f"https://h/o?sig={MARK}")
    other = ValueError("b")
    leaky.__context__, other.__context__ = other, leaky
    cleaned = scrub_exception(leaky)
    assert isinstance(cleaned, RedactedError)
    assert cleaned.__context__ is other
    assert other.__context__ is cleaned  # type: ignore[comparison-overlap]
    assert MARK not in _chain(cleaned)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="notes and groups are Python 3.11's")
def test_notes_and_group_members_are_scrubbed() -> None:
    member = ValueError(f"GET /o?token={MARK}")
    member.add_note(f"while reading https://h/o?X-Amz-Signature={MARK}")
    group = builtins.ExceptionGroup("two reads failed", [member, KeyError("k")])
    assert MARK not in _chain(scrub_exception(group))


def test_a_record_without_secrets_keeps_its_exception(
        caplog: pytest.LogCaptureFixture) -> None:
    logger = redacting_logger("fsjobstore.test_redact")
    with caplog.at_level(logging.DEBUG, logger="fsjobstore.test_redact"):
        try:
            raise ValueError("nothing secret")
        except ValueError:
            logger.debug("failed", exc_info=True)
    assert caplog.records[-1].exc_info is not None  # for other handlers to format
