"""A TCP proxy on loopback that can make a connection go silent: the client's
bytes still reach the server, but nothing comes back, and no close is seen (a
NAT or a firewall that dropped the connection); or lose one reply: the request
reaches the server, which acts on it, and the connection closes before its answer
reaches the client (which sends the request again)."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from tests.servers import Backend


class SilentProxy:
    """Forwards 127.0.0.1:<port> to *upstream*; after :meth:`silence_next`, the
    next connection to send a request never hears back."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._to_silence = 0
        #: Connections made silent so far.
        self.silenced = 0
        self._lose_reply_to: re.Pattern[bytes] | None = None
        #: Replies lost so far.
        self.lost = 0
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def silence_next(self) -> None:
        with self._lock:
            self._to_silence += 1

    def lose_next_reply_to(self, request: re.Pattern[bytes]) -> None:
        """Lose the answer to the next request whose bytes match *request*."""
        with self._lock:
            self._lose_reply_to = request

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            server = socket.create_connection(self._upstream)
            with self._lock:
                self._sockets += [client, server]
            silent, losing = threading.Event(), threading.Event()
            threading.Thread(target=self._pump, args=(client, server, silent, losing, True),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, silent, losing, False),
                             daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, silent: threading.Event,
              losing: threading.Event, from_client: bool) -> None:
        try:
            while data := source.recv(65536):
                if from_client and not silent.is_set():
                    with self._lock:
                        if self._to_silence:
                            self._to_silence -= 1
                            self.silenced += 1
                            silent.set()
                        if self._lose_reply_to is not None and self._lose_reply_to.search(data):
                            self._lose_reply_to = None
                            losing.set()
                if silent.is_set() and not from_client:
                    continue  # the answer is lost; the client is never told
                if losing.is_set() and not from_client:
                    if data.startswith(b"HTTP/1.1 100 ") and data.count(b"HTTP/1.") == 1:
                        sink.sendall(data)  # "100 Continue": the body is still to come
                        continue
                    with self._lock:
                        self.lost += 1
                    break  # the server acted; the client sees the connection close
                sink.sendall(data)
        except OSError:
            pass
        if not silent.is_set():
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        with self._lock:
            for sock in self._sockets:
                sock.close()

    def __enter__(self) -> SilentProxy:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def upstream(backend: Backend) -> tuple[str, int]:
    """Where *backend*'s server listens: its endpoint (S3, GCS), its blob endpoint
    (Azure), or its URL's host and port (SFTP)."""
    options = backend.storage_options
    if "connection_string" in options:
        found = re.search(r"BlobEndpoint=([^;]+)", options["connection_string"])
        assert found is not None
        where = found.group(1)
    else:
        where = options.get("endpoint_url", backend.base_url)
    parts = urlsplit(where)
    return str(parts.hostname), int(parts.port or 0)


def through(backend: Backend, port: int) -> dict[str, Any]:
    """*backend*'s storage options, with its server reached through 127.0.0.1:*port*
    (S3, GCS, Azure: the server is named in the options)."""
    options = dict(backend.storage_options)
    if "connection_string" in options:
        options["connection_string"] = re.sub(
            r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", options["connection_string"])
    else:
        options["endpoint_url"] = f"http://127.0.0.1:{port}"
    return options
