"""Bad names, IDs and hints get a clear error and never reach outside the store."""

from __future__ import annotations

from pathlib import Path

import pytest
from toil.common import Config
from toil.jobStores.abstractJobStore import NoSuchFileException, NoSuchJobException

from fsjobstore.errors import BackendError, InvalidInputError, NotAJobStoreError
from fsjobstore.jobstore import FsspecJobStore
from fsjobstore.layout import MARKER
from tests.conformance._helpers import all_keys
from tests.servers import Backend

TRAVERSALS = [
    "../escape",
    "files/../../escape",
    "/etc/passwd",
    "files/\x00nul/x",
    "files//x",
    "",
    "files/./x",
    "s3://other-bucket/key",
    "files/0123456789abcdef0123456789abcdef/x\n",  # "$" would match before the newline
    "files/0123456789abcdef0123456789abcdef/" + "x" * 256,  # longer than a name can be
]


@pytest.mark.parametrize("bad", TRAVERSALS)
def test_file_ids_are_validated(store: FsspecJobStore, bad: str, tmp_path: Path) -> None:
    assert_no_file_id(store, bad, tmp_path)


def assert_no_file_id(store: FsspecJobStore, bad: str, tmp_path: Path) -> None:
    """*bad* is refused as bad input, and to Toil (as by its own stores) a file
    that is not there; nothing changes in the store or in *tmp_path*."""
    before = set(all_keys(store))
    for call in (store.file_exists, store.get_file_size, store.delete_file,
                 store.get_public_url):
        with pytest.raises(InvalidInputError) as refused:
            call(bad)
        assert isinstance(refused.value, NoSuchFileException)
    with pytest.raises(NoSuchFileException), store.read_file_stream(bad):
        pass
    with pytest.raises(NoSuchFileException):
        store.read_file(bad, str(tmp_path / "copy"))
    assert set(all_keys(store)) == before
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("bad", ["../x", "a/b", "", "x\x00", ".hidden/..", "a b", "job\n"])
def test_job_ids_are_validated(store: FsspecJobStore, bad: str) -> None:
    # job_exists answers what Toil asks of a name the user typed (`toil debug-job`).
    before = set(all_keys(store))
    assert store.job_exists(bad) is False
    for call in (store.load_job, store.delete_job):
        with pytest.raises(InvalidInputError, match="job ID") as refused:
            call(bad)
        assert isinstance(refused.value, NoSuchJobException)
    # A file owned by no job of ours: Toil's stores raise NoSuchJobException too.
    for write in (lambda: store.get_empty_file_store_id(bad, cleanup=True),
                  lambda: store.write_file_stream(bad).__enter__()):
        with pytest.raises(InvalidInputError, match="job ID") as refused:
            write()
        assert isinstance(refused.value, NoSuchJobException)
    assert set(all_keys(store)) == before


@pytest.mark.parametrize(
    "bad", ["../config.pickle", "a/b", "", "..", "x y", "nul\x00", "config.pickle\n"])
def test_shared_names_are_validated(store: FsspecJobStore, bad: str) -> None:
    with pytest.raises(ValueError, match="shared file name"), store.write_shared_file_stream(bad):
        pass
    with pytest.raises(ValueError, match="shared file name"), store.read_shared_file_stream(bad):
        pass


def test_hints_and_basenames_cannot_escape(store: FsspecJobStore, tmp_path: Path) -> None:
    local = tmp_path / "f.txt"
    local.write_text("hi")
    before = set(all_keys(store))
    file_id = store.write_file(str(local), hints=["..", "../../etc", "/abs", "a\x00b", "ok"])
    with store.write_file_stream(basename="../../../outside") as (f, stream_id):
        f.write(b"x")
    for key in (file_id, stream_id):
        assert ".." not in key.split("/")
        assert store.file_exists(key)
    new_keys = set(all_keys(store)) - before
    assert new_keys and all(k.startswith(("hinted/", "files/")) for k in new_keys)
    assert file_id.startswith("hinted/") and file_id.endswith("/ok/files/f.txt")


def test_a_hinted_slots_directory_is_no_file(store: FsspecJobStore, tmp_path: Path) -> None:
    # The second file with the same hints and basename goes in slot directory 0.
    local = tmp_path / "f.txt"
    local.write_text("hi")
    store.write_file(str(local), hints=["h"])
    second = store.write_file(str(local), hints=["h"])
    slot = second.rsplit("/", 1)[0]
    assert slot.endswith("/files/0")
    out = tmp_path / "out"
    out.mkdir()
    assert_no_file_id(store, slot, out)


def test_unknown_id_message_names_the_id(store: FsspecJobStore) -> None:
    with pytest.raises(InvalidInputError, match="not a file ID of an fsjobstore"):
        store.file_exists("somebody-elses-id")


@pytest.mark.parametrize("locator", [None, b"memory://x", Path("/tmp/store"), 5])
def test_a_locator_that_is_not_a_string_is_refused(locator: object) -> None:
    with pytest.raises(InvalidInputError, match=f"is a string .*, not {type(locator).__name__}"):
        FsspecJobStore(locator)  # type: ignore[arg-type]


def test_bad_url_is_clear() -> None:
    with pytest.raises(InvalidInputError, match="protocol 'nosuchprotocol', which fsspec"):
        FsspecJobStore("nosuchprotocol://bucket/x")
    with pytest.raises(ValueError, match="shell"):
        FsspecJobStore("file:///tmp/has space")



@pytest.mark.parametrize("backend", ["s3", "gs", "az"], indirect=True)
def test_an_object_store_url_without_a_bucket_is_refused(backend: Backend) -> None:
    # Without its bucket, a store would live in the account's list of buckets.
    scheme = backend.base_url.split("://", 1)[0]
    for url in (f"{scheme}://", f"{scheme}:///", f"fsspec:{scheme}://"):
        with pytest.raises(InvalidInputError, match=r"names no (bucket|container)"):
            FsspecJobStore(url, **backend.storage_options)


@pytest.mark.parametrize("backend", ["s3", "memory"], indirect=True)
def test_an_empty_path_component_is_refused(backend: Backend) -> None:
    # s3://bucket//run1 would be another store than s3://bucket/run1, keyed "/run1/...".
    with pytest.raises(InvalidInputError, match="empty path component"):
        FsspecJobStore(f"{backend.base_url}//run1", **backend.storage_options)


@pytest.mark.parametrize("backend", ["s3", "memory"], indirect=True)
def test_an_upper_case_scheme_names_the_same_store(store: FsspecJobStore, backend: Backend) -> None:
    # URL schemes are case-insensitive (RFC 3986); fsspec's protocol names are not.
    scheme, rest = store.locator.removeprefix("fsspec:").split("://", 1)
    with store.write_shared_file_stream("case.txt") as stream:
        stream.write(b"one store")
    shouted = FsspecJobStore(f"fsspec:{scheme.upper()}://{rest}", **backend.storage_options)
    assert shouted.locator == store.locator
    with shouted.read_shared_file_stream("case.txt") as stream:
        assert stream.read() == b"one store"


@pytest.mark.parametrize("url", ["sftp://127.0.0.1:1/run1", "ftp://127.0.0.1:1/run1"])
def test_a_server_that_refuses_the_connection_is_named(url: str) -> None:
    # sshfs and fsspec's FTP connect as the filesystem is made; nothing listens on port 1.
    with pytest.raises(BackendError, match=f"cannot open store URL {url}: ConnectionRefusedError"):
        FsspecJobStore(url)


def test_a_local_store_needs_a_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # fsspec's local root is "", against which every key would land in the working directory.
    monkeypatch.chdir(tmp_path)
    for url in ("file:///", "file://", "local:///"):
        with pytest.raises(InvalidInputError, match="names no directory"):
            FsspecJobStore(url)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["memory://", "memory:///", "fsspec:memory://"])
def test_a_memory_store_needs_a_path(url: str) -> None:
    # The memory filesystem's root holds every other memory store too.
    with pytest.raises(InvalidInputError, match="names no directory"):
        FsspecJobStore(url)


def test_a_url_naming_a_file_is_no_place_for_a_new_store(backend: Backend) -> None:
    # Object stores list a file as itself; the store must not be made beside it.
    url = backend.new_url()
    fs = backend.filesystem()
    if backend.name == "file":
        fs.makedirs(fs._parent(fs._strip_protocol(url)), exist_ok=True)
    fs.pipe_file(fs._strip_protocol(url), b"results\n")
    store = FsspecJobStore(url, **backend.storage_options)
    config = Config()
    with pytest.raises(NotAJobStoreError, match="is a file, not a directory or prefix"):
        store.initialize(config)
    Path(config.write_messages).unlink(missing_ok=True)
    path = fs._strip_protocol(url)
    assert fs.cat_file(path) == b"results\n"
    assert fs.isfile(path)
    assert not fs.exists(f"{path}/{MARKER}")  # no store was begun beside (or below) it
