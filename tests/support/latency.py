"""A loopback TCP relay that delays every chunk a client sends: a slow network, for races."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse


@contextmanager
def delayed(url: str, seconds: float) -> Iterator[str]:
    """A URL that reaches url with every request delayed by seconds; closed on exit."""
    upstream = urlparse(url)
    listener = socket.create_server(("127.0.0.1", 0))
    stopping = threading.Event()

    def accept() -> None:
        while not stopping.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection((upstream.hostname, upstream.port))
            threading.Thread(target=_pipe, args=(client, server, seconds), daemon=True).start()
            threading.Thread(target=_pipe, args=(server, client, 0.0), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stopping.set()
        listener.close()
        acceptor.join(5)


def _pipe(source: socket.socket, target: socket.socket, delay: float) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            time.sleep(delay)
            target.sendall(chunk)
    for end in (source, target):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
