"""fsjobstore._ftp_calls without a server."""

from __future__ import annotations

from fsjobstore._ftp_calls import reconnect


def test_a_new_connection_keeps_encrypted_transfers() -> None:
    # fsspec's FTP asks for PROT P in its constructor, not in _connect: a new
    # connection made with tls=True must ask again (no TLS server here: the
    # calls are recorded).
    calls: list[str] = []

    class Connection:
        def prot_p(self) -> None:
            calls.append("PROT P")

    class Filesystem:
        tls = True
        ftp = Connection()

        def _connect(self) -> None:
            calls.append("connect")

    reconnect(Filesystem())
    assert calls == ["connect", "PROT P"]
    Filesystem.tls = False
    calls.clear()
    reconnect(Filesystem())
    assert calls == ["connect"]
