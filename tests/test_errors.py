"""fsjobstore's exceptions pickle intact, subclass the matching built-ins, and read well."""

from __future__ import annotations

import pickle

import pytest

from fsjobstore import errors

ALL = [getattr(errors, name) for name in errors.__all__]


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_round_trips_through_pickle(cls: type[errors.FsJobStoreError]) -> None:
    original = cls("s3://bucket/store: jobs/x.json does not exist")
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is cls
    assert str(copy) == str(original)
    assert isinstance(copy, errors.FsJobStoreError)


def test_builtin_bases() -> None:
    assert issubclass(errors.ObjectNotFoundError, FileNotFoundError)
    assert issubclass(errors.StoreExistsError, FileExistsError)
    assert issubclass(errors.InvalidInputError, ValueError)
    assert issubclass(errors.BackendError, OSError)
    assert issubclass(errors.UnsupportedError, NotImplementedError)


def test_all_is_honest() -> None:
    public = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__ == errors.__name__
    }
    assert public == set(errors.__all__)


@pytest.mark.parametrize(("key", "expected"), [("", "list failed"), ("jobs/", "list jobs/ failed")])
def test_a_backend_error_names_the_action_and_key(key: str, expected: str) -> None:
    from fsjobstore.storage import Storage

    storage = Storage("memory://errors/store")
    with pytest.raises(errors.BackendError) as caught:
        storage._raise_translated(RuntimeError("boom"), key, "list")
    assert str(caught.value) == f"memory://errors/store: {expected}: RuntimeError: boom"


def test_a_first_line_ending_in_a_colon_keeps_the_reason_after_it() -> None:
    # botocore: "Parameter validation failed:\nInvalid bucket name ...": the
    # first line alone says nothing.  Other lines (the Azure SDK's request IDs
    # and XML) stay out.
    from fsjobstore.storage import Storage

    storage = Storage("memory://errors/store")
    failure = RuntimeError('Parameter validation failed:\nInvalid bucket name "a!": must match\n'
                           "RequestId: 123")
    with pytest.raises(errors.BackendError) as caught:
        storage._raise_translated(failure, "", "list")
    assert str(caught.value) == ("memory://errors/store: list failed: RuntimeError: Parameter "
                                 'validation failed: Invalid bucket name "a!": must match')


@pytest.mark.parametrize(("failure", "reason"), [
    (EOFError(), "EOFError: the server closed the connection"),
    (RuntimeError(), "RuntimeError: (no message)"),
])
def test_an_error_without_a_message_still_says_something(
    failure: Exception, reason: str
) -> None:
    # ftplib raises a bare EOFError when the FTP server goes away mid-run.
    from fsjobstore.storage import Storage

    storage = Storage("memory://errors/store")
    with pytest.raises(errors.BackendError) as caught:
        storage._raise_translated(failure, "logs/", "list")
    assert str(caught.value) == f"memory://errors/store: list logs/ failed: {reason}"
