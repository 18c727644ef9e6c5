"""Part of the Toil adapter: shared files, logs and public URLs of
:class:`~fsjobstore.jobstore.FsspecJobStore`.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import IO, TYPE_CHECKING, Any

from toil.jobStores.abstractJobStore import AbstractJobStore, NoSuchFileException
from typing_extensions import override

from fsjobstore import layout
from fsjobstore._text import text_stream as _text
from fsjobstore._toil_errors import file_key
from fsjobstore._toil_reading import Reading
from fsjobstore.errors import ObjectNotFoundError, UnsupportedError

if TYPE_CHECKING:
    from fsjobstore.storage import Storage

__all__ = ["SharedMethods"]

#: S3 signatures are valid for at most seven days; Toil asks for a year.
_MAX_SIGNED_URL = timedelta(days=7) - timedelta(minutes=5)
#: The largest object a memory store hands out as a ``data:`` URL.
_MAX_DATA_URL = 4 * 1024 * 1024


class SharedMethods(AbstractJobStore):
    """Public URLs, shared files (config, environment, the user's script) and logs."""

    _storage: Storage

    @override
    def get_public_url(self, file_name: str) -> str:
        return self._public_url(file_key(file_name).key, file_name)

    @override
    def get_shared_public_url(self, shared_file_name: str) -> str:
        return self._public_url(layout.shared_key(shared_file_name), shared_file_name)

    def _public_url(self, key: str, name: str) -> str:
        expiration = min(self.publicUrlExpiration, _MAX_SIGNED_URL)
        try:
            return self._storage.public_url(key, expiration)
        except ObjectNotFoundError:
            raise NoSuchFileException(name) from None
        except UnsupportedError:
            if self._storage.capabilities.name != "memory":
                raise
        # A memory store exists only in this process: the object itself, inlined,
        # is the only URL anyone could ever read it from.
        import base64

        data = self._storage.read_bytes(key)
        if len(data) > _MAX_DATA_URL:
            raise UnsupportedError(
                f"{self._storage.url}: {key} is too large for a data: URL "
                f"({len(data)} bytes; memory stores have no signed URLs)"
            )
        return "data:application/octet-stream;base64," + base64.b64encode(data).decode()

    # -- shared files ----------------------------------------------------------------

    @override
    @contextlib.contextmanager
    def write_shared_file_stream(
        self,
        shared_file_name: str,
        encrypted: bool | None = None,
        encoding: str | None = None,
        errors: str | None = None,
    ) -> Iterator[IO[bytes]]:
        key = layout.shared_key(shared_file_name)
        with self._storage.write_stream(key) as stream, _text(stream, encoding, errors) as f:
            yield f

    @override
    def read_shared_file_stream(
        self,
        shared_file_name: str,
        encoding: str | None = None,
        errors: str | None = None,
    ) -> contextlib.AbstractContextManager[IO[Any]]:
        key = layout.shared_key(shared_file_name)
        return Reading(self._storage, key, shared_file_name, encoding, errors)

    # -- logs ------------------------------------------------------------------------

    @override
    def write_logs(self, msg: str) -> None:
        data = msg.encode("utf-8") if isinstance(msg, str) else bytes(msg)
        self._storage.write_bytes(layout.log_key(), data)

    @override
    def read_logs(self, callback: Callable[..., Any], read_all: bool = False) -> int:
        # Delivery state is a marker per message, never a timestamp: the
        # writers' clocks do not matter, and each message is delivered once.
        storage = self._storage
        logs = sorted(
            k for k in storage.list_keys(layout.LOGS) if not layout.is_temp_name(k)
        )
        done = {k.rsplit("/", 1)[-1] for k in storage.list_keys(layout.LOGS_READ)}
        wanted = [k for k in logs if read_all or k.rsplit("/", 1)[-1] not in done]
        delivered: list[str] = []
        try:
            for key, data in storage.read_many(wanted).items():
                if data is None:
                    continue
                callback(io.BytesIO(data))
                delivered.append(key)
        finally:
            markers = {
                layout.log_key(read=True, name=k.rsplit("/", 1)[-1]): k
                for k in delivered
                if k.rsplit("/", 1)[-1] not in done
            }
            storage.write_markers(markers)
        return len(delivered)
