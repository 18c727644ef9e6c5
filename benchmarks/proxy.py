"""A counting, latency-injecting HTTP/1.1 reverse proxy in front of an S3 server.

Run as ``python -m benchmarks.proxy --upstream http://127.0.0.1:PORT [--latency-ms 20]``;
it binds 127.0.0.1 on an ephemeral port and prints ``PORT <n>`` on stdout once ready.
It runs in its own process so that neither the GIL of the benchmark process nor
that of a Toil worker slows it down.

What it does to each request:

* names the S3 API operation from method, path and query
  (:func:`operation_name`) and counts it, with bytes in and out;
* sleeps ``latency`` seconds before forwarding it (one injected round trip per
  request; the latency can be changed at run time);
* streams request and response bodies in 1 MiB pieces (``Content-Length`` or
  ``Transfer-Encoding: chunked`` relayed as is), so a 1 GiB upload never sits in
  memory; keeps client and upstream connections alive;
* answers ``Expect: 100-continue`` itself (botocore waits up to a second for it
  otherwise) and forwards the request without that header;
* **server-side accommodation for Toil's AWSJobStore**: ``PUT /<bucket>?encryption``
  is answered ``200`` here and never forwarded, and ``GET /<bucket>?encryption``
  gets a plausible SSE-S3 (AES256) configuration.  Toil 9.6.0 sends the rule
  ``BlockedEncryptionTypes: [NONE]`` when it creates a bucket; stock moto 5.2.5
  answers MalformedXML (Toil then retries for about four minutes), and a moto
  that stored the rule would refuse later unencrypted uploads.  Only requests
  through this proxy see the accommodation; moto itself is never changed.

Control endpoints (never forwarded, never counted): ``GET /__proxy__/counts``
returns ``{"ops": {op: n}, "bytes_in": n, "bytes_out": n}``; ``POST
/__proxy__/reset`` zeroes them; ``POST /__proxy__/latency?ms=20`` sets the latency.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

__all__ = ["ProxyState", "operation_name", "serve"]

_PIECE = 1024 * 1024
_CONTROL = "/__proxy__/"
_ENCRYPTION_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
    b"</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled>"
    b"</Rule></ServerSideEncryptionConfiguration>"
)

# Bucket sub-resources and the operation name for each method.
_BUCKET_SUBRESOURCES: dict[str, dict[str, str]] = {
    "encryption": {"PUT": "PutBucketEncryption", "GET": "GetBucketEncryption",
                   "DELETE": "DeleteBucketEncryption"},
    "tagging": {"PUT": "PutBucketTagging", "GET": "GetBucketTagging",
                "DELETE": "DeleteBucketTagging"},
    "publicAccessBlock": {"PUT": "PutPublicAccessBlock", "GET": "GetPublicAccessBlock",
                          "DELETE": "DeletePublicAccessBlock"},
    "ownershipControls": {"PUT": "PutBucketOwnershipControls",
                          "GET": "GetBucketOwnershipControls",
                          "DELETE": "DeleteBucketOwnershipControls"},
    "policy": {"PUT": "PutBucketPolicy", "GET": "GetBucketPolicy", "DELETE": "DeleteBucketPolicy"},
    "acl": {"PUT": "PutBucketAcl", "GET": "GetBucketAcl"},
    "versioning": {"PUT": "PutBucketVersioning", "GET": "GetBucketVersioning"},
    "versions": {"GET": "ListObjectVersions"},
    "uploads": {"GET": "ListMultipartUploads"},
    "location": {"GET": "GetBucketLocation"},
    "lifecycle": {"PUT": "PutBucketLifecycle", "GET": "GetBucketLifecycle"},
    "cors": {"PUT": "PutBucketCors", "GET": "GetBucketCors"},
    "delete": {"POST": "DeleteObjects"},
}


def operation_name(method: str, target: str, headers: dict[str, str] | None = None) -> str:
    """The S3 API operation a path-style request is, e.g. ``GetObject``.

    *headers* are lower-cased names; only ``x-amz-copy-source`` matters.
    Unrecognised requests are named ``<METHOD> <bucket|object>?<subresource>``.
    """
    headers = headers or {}
    parts = urlsplit(target)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    path = parts.path.lstrip("/")
    if path.startswith("moto-api"):
        return "MotoApi"
    bucket, _, key = path.partition("/")
    if not bucket:
        return "ListBuckets" if method == "GET" else f"{method} /"
    if not key:
        for name, by_method in _BUCKET_SUBRESOURCES.items():
            if name in query:
                return by_method.get(method, f"{method} bucket?{name}")
        if method == "GET":
            return "ListObjectsV2" if query.get("list-type") == "2" else "ListObjects"
        return {"PUT": "CreateBucket", "HEAD": "HeadBucket",
                "DELETE": "DeleteBucket"}.get(method, f"{method} bucket")
    copy = "x-amz-copy-source" in headers
    if method == "GET":
        if "uploadId" in query:
            return "ListParts"
        if "tagging" in query:
            return "GetObjectTagging"
        if "acl" in query:
            return "GetObjectAcl"
        return "GetObject"
    if method == "HEAD":
        return "HeadObject"
    if method == "PUT":
        if "partNumber" in query and "uploadId" in query:
            return "UploadPartCopy" if copy else "UploadPart"
        if "tagging" in query:
            return "PutObjectTagging"
        if "acl" in query:
            return "PutObjectAcl"
        return "CopyObject" if copy else "PutObject"
    if method == "POST":
        if "uploads" in query:
            return "CreateMultipartUpload"
        if "uploadId" in query:
            return "CompleteMultipartUpload"
        return f"POST object?{','.join(sorted(query))}"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in query else "DeleteObject"
    return f"{method} object"


@dataclass
class ProxyState:
    """What the proxy has counted, and its current injected latency."""

    upstream_host: str
    upstream_port: int
    latency: float = 0.0
    ops: Counter[str] = field(default_factory=Counter)
    bytes_in: int = 0
    bytes_out: int = 0

    def snapshot(self) -> dict[str, object]:
        return {"ops": dict(self.ops), "bytes_in": self.bytes_in, "bytes_out": self.bytes_out,
                "latency_ms": self.latency * 1000}


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, list[tuple[str, str]]] | None:
    """A start line and its headers, or None at a clean end of stream."""
    try:
        raw = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise
    lines = raw.decode("latin-1").split("\r\n")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return lines[0], headers


def _encode_head(start: str, headers: list[tuple[str, str]]) -> bytes:
    return (start + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n").encode(
        "latin-1"
    )


async def _relay_body(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    headers: dict[str, str],
    *,
    until_eof: bool,
) -> int:
    """Stream one message body from *reader* to *writer*; returns the payload bytes."""
    total = 0
    if "chunked" in headers.get("transfer-encoding", "").lower():
        while True:
            size_line = await reader.readuntil(b"\r\n")
            writer.write(size_line)
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while True:  # trailers, then the empty line
                    trailer = await reader.readuntil(b"\r\n")
                    writer.write(trailer)
                    if trailer == b"\r\n":
                        break
                await writer.drain()
                return total
            remaining = size + 2  # the chunk and its CRLF
            while remaining:
                piece = await reader.read(min(remaining, _PIECE))
                if not piece:
                    raise ConnectionError("peer closed mid-chunk")
                writer.write(piece)
                remaining -= len(piece)
                await writer.drain()
            total += size
    elif "content-length" in headers:
        remaining = int(headers["content-length"])
        while remaining:
            piece = await reader.read(min(remaining, _PIECE))
            if not piece:
                raise ConnectionError("peer closed mid-body")
            writer.write(piece)
            remaining -= len(piece)
            total += len(piece)
            await writer.drain()
    elif until_eof:
        while piece := await reader.read(_PIECE):
            writer.write(piece)
            total += len(piece)
            await writer.drain()
    return total


async def _drain_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> None:
    class _Sink:
        def write(self, data: bytes) -> None:
            pass

        async def drain(self) -> None:
            pass

    await _relay_body(reader, _Sink(), headers, until_eof=False)  # type: ignore[arg-type]


async def _respond(
    writer: asyncio.StreamWriter, status: str, body: bytes, content_type: str
) -> None:
    writer.write(_encode_head(f"HTTP/1.1 {status}", [
        ("Content-Type", content_type), ("Content-Length", str(len(body))),
        ("x-amz-request-id", "benchmark-proxy"),
    ]) + body)
    await writer.drain()


async def _control(state: ProxyState, method: str, target: str,
                   writer: asyncio.StreamWriter) -> None:
    parts = urlsplit(target)
    action = parts.path[len(_CONTROL):]
    if action == "reset" and method == "POST":
        state.ops.clear()
        state.bytes_in = state.bytes_out = 0
    elif action == "latency" and method == "POST":
        state.latency = float(dict(parse_qsl(parts.query)).get("ms", "0")) / 1000
    elif action != "counts":
        await _respond(writer, "404 Not Found", b"{}", "application/json")
        return
    await _respond(writer, "200 OK", json.dumps(state.snapshot()).encode(), "application/json")


async def _handle(state: ProxyState, reader: asyncio.StreamReader,
                  writer: asyncio.StreamWriter) -> None:
    upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    try:
        while True:
            head = await _read_head(reader)
            if head is None:
                return
            start, header_list = head
            method, target, _version = start.split(" ", 2)
            headers = {k.lower(): v for k, v in header_list}
            if target.startswith(_CONTROL):
                await _drain_body(reader, headers)
                await _control(state, method, target, writer)
                continue
            op = operation_name(method, target, headers)
            state.ops[op] += 1
            if headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                await writer.drain()
                header_list = [(k, v) for k, v in header_list if k.lower() != "expect"]
            if state.latency:
                await asyncio.sleep(state.latency)
            if op in ("PutBucketEncryption", "GetBucketEncryption"):
                await _drain_body(reader, headers)
                body = _ENCRYPTION_XML if op == "GetBucketEncryption" else b""
                await _respond(writer, "200 OK", body, "application/xml")
                continue
            if upstream is None:
                upstream = await asyncio.open_connection(state.upstream_host,
                                                         state.upstream_port)
            up_reader, up_writer = upstream
            up_writer.write(_encode_head(start, header_list))
            state.bytes_in += await _relay_body(reader, up_writer, headers, until_eof=False)
            await up_writer.drain()
            while True:  # skip interim 1xx responses from upstream
                response = await _read_head(up_reader)
                if response is None:
                    raise ConnectionError("upstream closed before answering")
                status_line, response_headers = response
                code = int(status_line.split(" ", 2)[1])
                writer.write(_encode_head(status_line, response_headers))
                if code >= 200:
                    break
            lowered = {k.lower(): v for k, v in response_headers}
            no_body = method == "HEAD" or code in (204, 304)
            until_eof = not no_body and "content-length" not in lowered and (
                "chunked" not in lowered.get("transfer-encoding", "").lower()
            )
            if not no_body:
                state.bytes_out += await _relay_body(up_reader, writer, lowered,
                                                     until_eof=until_eof)
            await writer.drain()
            if until_eof or "close" in headers.get("connection", "").lower():
                return  # the client can only see the end of this body as a close
            if "close" in lowered.get("connection", "").lower():
                up_writer.close()
                upstream = None
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        return
    finally:
        if upstream is not None:
            upstream[1].close()
        with contextlib.suppress(Exception):
            writer.close()


async def serve(state: ProxyState, ready: asyncio.Future[int] | None = None) -> None:
    """Serve on 127.0.0.1 (ephemeral port) until cancelled; prints ``PORT <n>``."""
    server = await asyncio.start_server(
        lambda r, w: _handle(state, r, w), "127.0.0.1", 0, limit=1 << 20, backlog=1024
    )
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    if ready is not None:
        ready.set_result(port)
    async with server:
        await server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    upstream = urlsplit(args.upstream)
    if upstream.hostname != "127.0.0.1":
        sys.exit("the proxy only forwards to 127.0.0.1")
    state = ProxyState(upstream.hostname, upstream.port or 80, args.latency_ms / 1000)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(state))


if __name__ == "__main__":
    main()
