"""Property tests: whatever the input, keys stay inside the store."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fsjobstore import layout
from fsjobstore.errors import InvalidInputError


@given(st.text())
def test_validated_keys_never_leave_the_root(key: str) -> None:
    try:
        checked = layout.validate_key(key)
    except InvalidInputError:
        return
    normalized = posixpath.normpath(posixpath.join("/root", checked))
    assert normalized.startswith("/root/")
    assert "\x00" not in checked


@given(st.one_of(st.none(), st.text()))
def test_safe_basename_is_one_valid_component(name: str | None) -> None:
    base = layout.safe_basename(name)
    assert layout.validate_key(base) == base
    assert "/" not in base
    assert not layout.is_temp_name(base)


@pytest.mark.parametrize(("name", "expected"), [
    ("日本語 ファイル.csv", "_.csv"),  # not a hidden file
    (".bashrc", ".bashrc"),  # a hidden file stays one
    ("L" * 200 + ".txt", "L" * 116 + ".txt"),  # cut in the stem, the extension kept
    ("x" * 300, "x" * 120),
])
def test_safe_basename_keeps_what_a_name_says(name: str, expected: str) -> None:
    assert layout.safe_basename(name) == expected


@given(st.text(max_size=300))
def test_new_file_keys_parse_back(name: str) -> None:
    for owner in (None, "job-0123"):
        for executable in (False, True):
            key = layout.new_file_key(name, owner=owner, executable=executable)
            parsed = layout.parse_file_id(key)
            assert parsed.key == key
            assert parsed.owner == owner
            assert parsed.executable is executable


@given(st.text())
@example("0..0")  # found by hypothesis: runs of dots in a job's name
@example("a b...c")
def test_new_job_ids_are_valid_and_shell_safe(name: str) -> None:
    job_id = layout.new_job_id(name)
    assert layout.validate_job_id(job_id) == job_id
    assert layout.job_id_from_key(layout.job_key(job_id)) == job_id


@pytest.mark.parametrize("bad", ["..", ".tmp-x", "a/b", "", "x y"])
def test_invalid_shared_names(bad: str) -> None:
    reason = "reserved for temporary objects" if bad == ".tmp-x" else "expected letters"
    with pytest.raises(InvalidInputError, match=reason):
        layout.validate_shared_name(bad)


@given(st.text(min_size=1, max_size=300).filter(lambda s: "/" not in s))
def test_temp_siblings_stay_beside_their_target_and_never_repeat(leaf: str) -> None:
    key = f"jobs/{leaf}"
    temps = {layout.temp_sibling(key) for _ in range(50)}
    assert len(temps) == 50
    for temp in temps:
        head, _, name = temp.rpartition("/")
        assert head == "jobs"
        assert layout.is_temp_name(temp)
        assert len(name) <= 200
