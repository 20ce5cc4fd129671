"""The bot's web endpoint: serves a file to whoever holds a valid signed link, nothing else.

Zalo cannot receive files, so Zalo users get links (bot/links.py) to exports and photos.
`GET /f/<purpose>/<token>/<name>`: 200 with the file; 403 for an altered token or one made
for another purpose; 410 for an expired one; 404 for a file no longer there. Anything else
is 404. It runs in its own threads: reading a file never holds up the chats.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import threading
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from bot.links import LinkRefused, LinkSigner
from storage.models import utcnow

log = logging.getLogger(__name__)
CHUNK = 1 << 16
_STATUS = {"altered": 403, "wrong purpose": 403, "expired": 410}
_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class FileServer:
    """Serves the files of each purpose's folder through signed links, in background threads."""

    def __init__(
        self,
        signer: LinkSigner,
        folders: Mapping[str, Path],
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.signer, self.clock = signer, clock
        self.folders = {purpose: Path(folder).resolve() for purpose, folder in folders.items()}
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on (useful when started on port 0)."""
        return int(self._server.server_address[1])

    def start(self) -> FileServer:
        """Listen in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        log.info("serving signed file links on port %s", self.port)
        return self

    def stop(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()

    def find(self, path: str) -> tuple[int, Path | None]:
        """The HTTP status a request path gets, and the file it opens when 200."""
        parts = urlsplit(path).path.split("/")
        # "", "f", purpose, token, name…
        if len(parts) < 4 or parts[1] != "f" or parts[2] not in self.folders:
            return 404, None
        purpose, token = parts[2], unquote(parts[3])
        try:
            name = self.signer.open(token, purpose, self.clock())
        except LinkRefused as refused:
            return _STATUS.get(refused.reason, 403), None
        folder = self.folders[purpose]
        wanted = (folder / name).resolve()
        # A signed name cannot be forged, but a folder outside is never served all the same.
        if not wanted.is_relative_to(folder) or not wanted.is_file():
            return 404, None
        return 200, wanted


def content_type(path: Path) -> str:
    """The MIME type a file is served with."""
    return _TYPES.get(path.suffix.lower()) or (
        mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )


def _handler_for(server: FileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(body=True)

        def do_HEAD(self) -> None:
            self._answer(body=False)

        def _answer(self, body: bool) -> None:
            status, path = server.find(self.path)
            if path is None:
                message = self.responses.get(status, ("",))[0].encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(message)))
                self.end_headers()
                if body:
                    self.wfile.write(message)
                return
            try:
                handle = path.open("rb")
            except OSError:
                self.send_error(404)
                return
            with handle:
                size = path.stat().st_size
                self.send_response(200)
                self.send_header("Content-Type", content_type(path))
                self.send_header("Content-Length", str(size))
                disposition = "inline" if content_type(path).startswith("image/") else "attachment"
                self.send_header(
                    "Content-Disposition", f"{disposition}; filename*=UTF-8''{quote(path.name)}"
                )
                self.send_header("Cache-Control", "private, max-age=3600")
                self.end_headers()
                while body and (chunk := handle.read(CHUNK)):
                    self.wfile.write(chunk)

        def log_message(self, format: str, *args: object) -> None:
            """Log without the token: anyone reading the log could otherwise open the file."""
            log.debug("file link %s", args[1] if len(args) > 1 else "")

    return Handler
