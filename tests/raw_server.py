"""A TCP server on a free loopback port that misbehaves on purpose: each connection it
accepts is handed to a function of the test's, on a thread of its own. For peers no real
HTTP server can play (an answer that never comes, headers without end, a byte a second)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterator

Handler = Callable[[socket.socket], None]


def received(connection: socket.socket) -> bytes:
    data = connection.recv(65536)
    if not data:
        raise ConnectionResetError("the peer closed the connection")
    return data


def request_of(connection: socket.socket) -> bytes:
    """One HTTP/1.1 request read whole (its head, then Content-Length bytes of body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += received(connection)
    head, _, body = data.partition(b"\r\n\r\n")
    lengths = [
        int(line.split(b":", 1)[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    ]
    while len(body) < sum(lengths):
        body += received(connection)
    return head + b"\r\n\r\n" + body


def closed_by_peer(connection: socket.socket) -> bool:
    """Whether the peer closed the connection (read until then), rather than it failing."""
    try:
        while connection.recv(65536):
            pass
    except OSError:
        return False
    return True


@contextlib.contextmanager
def raw_server(handle: Handler, backlog: int = 64) -> Iterator[str]:
    """The server's origin (`http://127.0.0.1:PORT`); every connection ends with the block."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=backlog)
    accepted: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            accepted.append(connection)
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes accept(), which close() does not
        listener.close()
        for connection in accepted:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
