"""fsjobstore's exceptions pickle intact and subclass the matching built-ins."""

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
