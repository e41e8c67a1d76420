"""A loopback TCP relay that lets a request reach the service but loses its answer, once."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlparse


@dataclass
class AnswerLoser:
    """Which request line loses its answer, and how many answers were lost so far."""

    request_line: bytes
    lost: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def claims(self, chunk: bytes) -> bool:
        """True (once) when chunk starts the request whose answer is to be lost."""
        with self.lock:
            if self.lost == 0 and chunk.startswith(self.request_line):
                self.lost += 1
                return True
            return False


@contextmanager
def answer_lost(url: str, request_line: bytes) -> Iterator[tuple[str, AnswerLoser]]:
    """A URL that reaches url; the first request starting with request_line is served by url,
    but the connection is closed as its answer arrives, so the client never sees it."""
    upstream = urlparse(url)
    loser = AnswerLoser(request_line)
    listener = socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection((upstream.hostname, upstream.port))
            dropping = threading.Event()
            threading.Thread(
                target=_requests, args=(client, server, loser, dropping), daemon=True
            ).start()
            threading.Thread(target=_answers, args=(server, client, dropping), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", loser
    finally:
        stopping.set()
        listener.close()
        acceptor.join(5)


def _requests(
    source: socket.socket, target: socket.socket, loser: AnswerLoser, dropping: threading.Event
) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            if loser.claims(chunk):
                dropping.set()
            target.sendall(chunk)
    _close(source, target)


def _answers(source: socket.socket, target: socket.socket, dropping: threading.Event) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            if dropping.is_set():
                break  # the service answered; the client never hears it
            target.sendall(chunk)
    _close(source, target)


def _close(*ends: socket.socket) -> None:
    for end in ends:
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()
