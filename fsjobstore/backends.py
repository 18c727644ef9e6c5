"""Capability profiles: what each fsspec backend guarantees, declared in one place.

The write path reads these flags; it never guesses from behaviour.  A protocol
without a profile gets :data:`CONSERVATIVE`, which is slower but never tears a
write (temporary sibling, then move).  ``docs/backends.md`` is this table in prose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["CONSERVATIVE", "PROFILES", "Capabilities", "default_options", "profile_for"]


@dataclass(frozen=True)
class Capabilities:
    """What a backend guarantees.

    ``atomic_put``: a single upload is visible whole or not at all, so writes go
    straight to their key.  ``exclusive_create``: ``pipe_file(mode="create")`` fails
    with ``FileExistsError`` when the key exists, enforced by the server.
    ``atomic_rename``: ``mv`` replaces its target atomically (POSIX rename), so
    writes go to a temporary sibling first.  ``byte_ranges``: ``cat_file`` honours
    ``start``/``end``.  ``signed_urls``: ``fs.sign`` gives an expiring HTTP URL.
    ``bulk_delete``: ``rm`` of many paths is batched by the server API.
    ``needs_dirs``: parent directories must exist before a write.
    ``buckets``: the first path component is a bucket or container, which
    fsjobstore never creates (so a missing one is named in the error).
    ``read_kwargs``: extra arguments to ``cat_file``/``cat`` for one-request reads.
    ``download_kwargs``: extra arguments to ``get_file`` for a download in bounded
    memory (one streaming request where the backend allows).
    ``delete_kwargs``: extra arguments to ``rm`` of many paths.
    ``thread_safe``: one filesystem instance serves every thread (else each
    thread gets its own; fsspec's FTP, say, has one connection per instance).
    """

    name: str
    atomic_put: bool = False
    exclusive_create: bool = False
    atomic_rename: bool = False
    byte_ranges: bool = True
    signed_urls: bool = False
    server_side_copy: bool = False
    bulk_delete: bool = False
    needs_dirs: bool = False
    local: bool = False
    buckets: bool = False
    shared_between_processes: bool = True
    thread_safe: bool = False
    read_kwargs: Mapping[str, Any] = field(default_factory=dict)
    download_kwargs: Mapping[str, Any] = field(default_factory=dict)
    delete_kwargs: Mapping[str, Any] = field(default_factory=dict)


S3 = Capabilities(
    "s3",
    thread_safe=True,
    atomic_put=True,
    buckets=True,
    exclusive_create=True,
    signed_urls=True,
    server_side_copy=True,
    bulk_delete=True,
    # s3fs sends a HEAD before every GET unless told not to split reads.
    read_kwargs={"max_concurrency": 1},
    # s3fs's get_file splits a file above 50 MiB into ranged GETs, ten parts of
    # 50 MiB at a time in memory (~500 MiB); one streaming GET keeps 64 KiB.
    download_kwargs={"max_concurrency": 1},
)
GCS = Capabilities(
    "gcs",
    thread_safe=True,
    atomic_put=True,
    buckets=True,
    exclusive_create=True,
    signed_urls=True,
    server_side_copy=True,
    bulk_delete=True,
    # gcsfs's concurrent get_file first asks for the object's info (two more
    # requests); one streaming GET serves any size.
    download_kwargs={"concurrency": 1},
)
AZURE = Capabilities(
    "azure",
    thread_safe=True,
    atomic_put=True,
    buckets=True,
    exclusive_create=True,
    signed_urls=True,
    server_side_copy=True,
    bulk_delete=True,
    # adlfs would HEAD every path first (is it a directory?); without that it
    # deletes every path and ignores those already gone.
    delete_kwargs={"expand_path": False},
    # Without a concurrency, adlfs's get_file held the whole blob in memory
    # (500 MB for 600 MiB on Azurite); with one, 4 MiB ranges a few at a time.
    download_kwargs={"max_concurrency": 4},
)
MEMORY = Capabilities(
    "memory",
    thread_safe=True,
    atomic_put=True,
    exclusive_create=True,
    server_side_copy=True,
    shared_between_processes=False,
)
LOCAL = Capabilities(
    "local",
    thread_safe=True,
    exclusive_create=True,
    atomic_rename=True,
    server_side_copy=True,
    needs_dirs=True,
    local=True,
)
SFTP = Capabilities(
    "sftp",
    thread_safe=True,
    # sshfs ignores mode="create"; exclusive create is check-then-write there.
    exclusive_create=False,
    atomic_rename=True,
    # sshfs returns the whole file for cat_file(start, end).
    byte_ranges=False,
    needs_dirs=True,
)
CONSERVATIVE = Capabilities("conservative", byte_ranges=False, needs_dirs=True)

PROFILES: Mapping[str, Capabilities] = {
    "s3": S3,
    "s3a": S3,
    "gs": GCS,
    "gcs": GCS,
    "az": AZURE,
    "abfs": AZURE,
    "abfss": AZURE,
    # Not "adl" (Data Lake Gen1, retired by Microsoft): adlfs serves it with
    # another client, and its uploads are not single atomic PUTs.
    "memory": MEMORY,
    "file": LOCAL,
    "local": LOCAL,
    "sftp": SFTP,
    "ssh": SFTP,
}


def profile_for(protocol: str | tuple[str, ...] | list[str]) -> Capabilities:
    """The profile of a filesystem's protocol (``fs.protocol``), or the conservative default."""
    names = (protocol,) if isinstance(protocol, str) else tuple(protocol)
    for name in names:
        if name in PROFILES:
            return PROFILES[name]
    return CONSERVATIVE


#: Seconds a GCS request may wait for the next bytes of its answer, and for its
#: connection; then gcsfs gives up on that connection and retries.
GCS_SOCK_READ = 120
GCS_SOCK_CONNECT = 30
#: An SFTP connection that answers none of 3 keepalives 30 s apart is closed.
SFTP_KEEPALIVE = {"keepalive_interval": 30, "keepalive_count_max": 3}


def default_options(
    protocol: str, given: Mapping[str, Any], url: str | None = None
) -> dict[str, Any]:
    """*given*, plus what fsspec alone would get wrong for *protocol* (opening *url*).

    - The timeouts fsjobstore sets where neither *given* nor fsspec's configuration
      chose them: without them, a connection that goes silent (a NAT or a firewall
      dropping it) blocks a GCS or SFTP call forever (gcsfs sets no timeout; sshfs
      no keepalive).
    - fsspec's configuration for *protocol* where the filesystem class does not
      answer to that name, less what *url* itself says (its user, host, port).
    """
    import fsspec
    import fsspec.config

    added: dict[str, Any] = {}
    name = profile_for(protocol).name
    try:
        if name == "gcs":
            import aiohttp  # gcsfs's HTTP client

            added["requests_timeout"] = aiohttp.ClientTimeout(
                sock_read=GCS_SOCK_READ, sock_connect=GCS_SOCK_CONNECT)
        elif name == "sftp":
            added.update(SFTP_KEEPALIVE)
        # fsspec applies the configuration of every name the class answers to
        # (gcsfs: "gs" and "gcs"), and arguments override it.
        cls = fsspec.get_filesystem_class(protocol) if added else None
    except (ImportError, ValueError):  # not installed: opening the store says so
        return dict(given)
    names = () if cls is None else cls.protocol
    names = (names,) if isinstance(names, str) else tuple(names)
    configured: set[str] = set()
    for each in {protocol, *names}:
        configured.update(fsspec.config.conf.get(each, {}))
    # sshfs's class answers to whichever of "ssh" and "sftp" the process looked up
    # first, and fsspec applies the configuration of that name only: the one asked
    # for is passed along, or "sftp" settings (a key file) would go unused.  What
    # the URL says stays the URL's, as when fsspec applies its configuration itself
    # (passed as an argument, a user name the URL also gives would be an error).
    own: dict[str, Any] = {}
    if cls is not None and protocol not in names:
        try:
            from_url = cls._get_kwargs_from_urls(url) if url else {}
        except (TypeError, ValueError):  # not a URL the class reads: opening it says so
            from_url = {}
        own = {k: v for k, v in fsspec.config.conf.get(protocol, {}).items()
               if k not in from_url}
    return {**{k: v for k, v in added.items() if k not in configured}, **own, **given}
