"""A threaded pyftpdlib server for the tests: ``ftp_server.py ROOT PORT USER PASSWORD``.

(``python -m pyftpdlib --concurrency multi-thread`` fails in pyftpdlib 2.2.)
"""

from __future__ import annotations

import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer


def main(root: str, port: str, user: str, password: str) -> None:
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, password, root, perm="elradfmwMT")
    handler = FTPHandler
    handler.authorizer = authorizer
    # Data connections below the ephemeral range (32768-60999 on Linux): the side
    # that closes first keeps its port in TIME_WAIT for a minute, and thousands of
    # those among the ephemeral ports make other tests' bind() fail (Toil's FTP
    # stub server binds its own port + 2 without SO_REUSEADDR).
    handler.passive_ports = range(20000, 32000)
    ThreadedFTPServer(("127.0.0.1", int(port)), handler).serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:5])
