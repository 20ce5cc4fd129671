"""A TCP proxy on 127.0.0.1 that a test can switch off, to play a database outage.

Point DATABASE_URL at `proxy.port` instead of the database's own: while `up`, bytes flow both
ways; `cut()` closes every open connection and refuses new ones (accepted, then closed at once,
as a restarting server does) until `restore()`.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading


class TcpProxy:
    """Forwards connections from a free local port to `target_host:target_port`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.up = True
        self.refused = 0
        """Connections turned away while cut."""
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._stopping = False
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        """The local port to connect to."""
        return int(self._listener.getsockname()[1])

    def start(self) -> TcpProxy:
        """Accept connections in a background thread."""
        self._thread.start()
        return self

    def cut(self) -> None:
        """The database goes away: drop every connection and refuse new ones."""
        with self._lock:
            self.up = False
            sockets, self._open = self._open, set()
        for sock in sockets:
            _close(sock)

    def restore(self) -> None:
        """The database is back."""
        with self._lock:
            self.up = True

    def stop(self) -> None:
        """Close the listener and every connection."""
        self._stopping = True
        self.cut()
        _close(self._listener)
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stopping:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                up = self.up
                if not up:
                    self.refused += 1
            if not up:
                _close(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open.update((client, server))
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    def _pipe(self, client: socket.socket, server: socket.socket) -> None:
        peers = {client: server, server: client}
        with selectors.DefaultSelector() as selector:
            for sock in peers:
                selector.register(sock, selectors.EVENT_READ)
            try:
                while True:
                    for key, _events in selector.select(timeout=0.5):
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return
                        peers[key.fileobj].sendall(data)  # type: ignore[index]
                    with self._lock:
                        if client not in self._open:
                            return
            except (OSError, ValueError):
                return
            finally:
                with self._lock:
                    self._open.discard(client)
                    self._open.discard(server)
                _close(client)
                _close(server)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
