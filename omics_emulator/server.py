"""HTTP layer of the emulator and its in-process handle: start, stop, restart on the same port.

Built on the standard library's ``ThreadingHTTPServer`` and botocore's service model rather
than on moto: the emulator is the project's runtime default (``make up``), so it must not pull
moto and its dependency tree into the runtime; botocore is already required by boto3, and its
model gives routing, validation and output shapes directly. moto stays a test dependency.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import sys
import threading
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from omics_emulator.exceptions import (
    InternalServerException,
    OmicsError,
    RequestEntityTooLargeException,
    RequestTimeoutException,
    UnknownOperationException,
)
from omics_emulator.framing import DeadlineReader, content_length, is_chunked, read_chunked
from omics_emulator.models import DEFAULT_REGION, OmicsBackend
from omics_emulator.protocol import (
    Router,
    error_body,
    parse_request,
    serialize_output,
    service_model,
)
from omics_emulator.responses import HANDLERS
from omics_emulator.settings import EmulatorSettings

MAX_BODY_BYTES = 10 * 1024 * 1024
DRAIN_LIMIT_BYTES = 16 * 1024 * 1024
DRAIN_TIMEOUT_SECONDS = 2.0
# Connections waiting to be accepted. socketserver's default of 5 makes the kernel refuse or
# reset a third of 200 simultaneous connections; Linux caps this at net.core.somaxconn.
LISTEN_BACKLOG = 1024
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/,\s]+/\d{8}/([a-z0-9-]+)/")


def region_of(authorization: str | None) -> str:
    """The region of a SigV4 ``Authorization`` header's credential scope (default us-east-1)."""
    found = _CREDENTIAL_SCOPE.search(authorization or "")
    return found.group(1) if found else DEFAULT_REGION


class OmicsRequestHandler(BaseHTTPRequestHandler):
    """Answers one connection's requests with the omics rest-json protocol."""

    server: OmicsHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "omics-emulator"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK add about 40 ms to every response.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: one line per request would drown the CLI's output."""

    def setup(self) -> None:
        """Close the connection once it sends nothing for ``idle_timeout_seconds``, or once a
        request has not arrived whole ``idle_timeout_seconds`` after its first byte.

        Between requests or within the request line and headers the connection just closes
        (as BaseHTTPRequestHandler does on a timeout); within a body the answer is 408.
        """
        super().setup()
        seconds = self.server.backend.settings.idle_timeout_seconds
        self.connection.settimeout(seconds)
        self.rfile.close()  # the socket stays open: the reader below reads it instead
        self._reader = DeadlineReader(self.connection, seconds, seconds)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        """One request, its deadline starting with its first byte."""
        self._reader.next_request()
        super().handle_one_request()

    def _handle(self) -> None:
        try:
            status, headers, body = self._dispatch()
        except (ConnectionError, ClientHungUp) as error:
            self._hung_up(error)
            return
        except OmicsError as err:
            status, headers, body = error_body(err)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            status, headers, body = error_body(
                InternalServerException("The emulator failed internally")
            )
        try:
            self._send(status, headers, body)
        except ConnectionError as error:
            self._hung_up(error)

    def _hung_up(self, error: BaseException) -> None:
        """Log, in one line, a client that went away before its answer; close the connection."""
        self.close_connection = True
        host, port = self.client_address[:2]
        print(
            f"omics-emulator: client {host}:{port} hung up during {self.command} "
            f"{self.path[:100]} ({type(error).__name__})",
            file=sys.stderr,
            flush=True,
        )

    def _dispatch(self) -> tuple[int, dict[str, str], bytes]:
        body = self._read_body()
        url = urlsplit(self.path)
        operation, labels = self.server.router.match(self.command, url.path)
        backend = self.server.backend
        backend.record_request(operation.name)
        handler = HANDLERS.get(operation.name)
        if handler is None:
            raise UnknownOperationException(
                f"{operation.name} is a valid omics operation but this emulator does not "
                "emulate it "
                f"(emulated: {', '.join(sorted(HANDLERS))})",
                status=501,
            )
        headers = {k.lower(): v for k, v in self.headers.items()}
        params = parse_request(operation, labels, parse_qs(url.query), headers, body)
        result = handler(backend, params, region_of(self.headers.get("Authorization")))
        return serialize_output(operation, result)

    def _read_body(self) -> bytes:
        """The request body, by Content-Length or chunked; an error closes the connection."""
        try:
            return self._read_framed_body()
        except OmicsError:
            self.close_connection = True
            raise
        except TimeoutError:
            self.close_connection = True
            raise RequestTimeoutException(
                "The request body stopped arriving for "
                f"{self.server.backend.settings.idle_timeout_seconds}s; send it again"
            ) from None

    def _read_framed_body(self) -> bytes:
        if is_chunked(self.headers):
            if "Content-Length" in self.headers:
                self.close_connection = True  # RFC 9112 section 6.1: both framings, then close
            return read_chunked(self.rfile, MAX_BODY_BYTES)
        try:
            length = content_length(self.headers, MAX_BODY_BYTES)
        except RequestEntityTooLargeException:
            self._drain(self.headers.get("Content-Length", ""))
            raise
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise ClientHungUp(f"the body ended after {len(body)} of {length} bytes")
        return body

    def _drain(self, declared: str) -> None:
        """Discard a moderately oversized body so the client can read the 413 answer."""
        length = int(declared)
        if not 0 < length <= DRAIN_LIMIT_BYTES:
            return
        self._reader.deadline = self._reader.clock() + DRAIN_TIMEOUT_SECONDS
        remaining = length
        with contextlib.suppress(OSError):
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        if self.close_connection:
            self.send_header("Connection", "close")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class ClientHungUp(Exception):
    """The client closed its connection before its request arrived whole."""


class OmicsHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that remembers its open connections so stop() can cut them."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], backend: OmicsBackend, router: Router) -> None:
        self.backend = backend
        self.router = router
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, OmicsRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up gets one line; anything else its traceback (the default)."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            host, port = client_address[:2]
            print(
                f"omics-emulator: client {host}:{port} hung up ({type(error).__name__})",
                file=sys.stderr,
                flush=True,
            )
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Cut every open (keep-alive) connection, as a service going down would."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class EmulatorHandle:
    """A running emulator: ``url``, ``backend``, ``stop()``, ``restart()``; a context manager."""

    def __init__(self, backend: OmicsBackend, host: str, port: int) -> None:
        self.backend = backend
        self.host = host
        self.port = port
        self._router = Router(service_model())
        self._server: OmicsHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The endpoint URL, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    def start(self) -> EmulatorHandle:
        """Bind (the first time, ``port`` 0 picks a free port) and serve in a daemon thread."""
        if self._server is not None:
            return self
        server = OmicsHTTPServer((self.host, self.port), self.backend, self._router)
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            args=(0.05,),
            name=f"omics-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and free the port (idempotent)."""
        server, self._server = self._server, None
        if server is None:
            return
        self.backend.close()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def restart(self) -> EmulatorHandle:
        """Serve again on the same port with the same backend state."""
        self.stop()
        return self.start()

    def __enter__(self) -> EmulatorHandle:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_emulator(
    settings: EmulatorSettings | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    backend: OmicsBackend | None = None,
) -> EmulatorHandle:
    """Start an emulator serving in a daemon thread and return its handle.

    Pass ``backend`` to serve an existing backend (e.g. one with an injected clock);
    otherwise a new one is built from ``settings``.
    """
    return EmulatorHandle(
        backend or OmicsBackend(settings or EmulatorSettings()), host, port
    ).start()


def dump_state(handle: EmulatorHandle) -> str:
    """The stores and jobs a handle's backend holds, as indented JSON (for debugging)."""
    return json.dumps(
        {"stores": handle.backend.stores(), "jobs": handle.backend.jobs()}, indent=2, default=str
    )
