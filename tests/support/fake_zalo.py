"""A fake Zalo Bot API on 127.0.0.1, close to the real one, for adapter and end-to-end tests.

It speaks `POST /bot<token>/<method>` with JSON bodies and answers in the documented envelope
(`{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": "..."}`).
getUpdates hands out ONE update per call, oldest first, waits up to `timeout` seconds for one,
and answers 408 "Request timeout" when idle (HTTP status `idle_status`, 408 unless a test sets
200 to mimic an error carried only in the body). Zalo does not document what a send to a user
who blocked or unfollowed the bot returns: `block()` answers a 403 whose description names the
block, which is this fake's choice, not a documented Zalo error.

It runs a stdlib ThreadingHTTPServer in a thread, so a bot in another process can use `url`.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TEXT_LIMIT = 2000


@dataclass
class _Failure:
    status: int
    description: str
    count: int
    retry_after: float | None = None
    skip: int = 0


@dataclass
class _State:
    pending: deque[dict[str, Any]] = field(default_factory=deque)
    last: dict[str, Any] | None = None
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)
    failures: dict[str, _Failure] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    webhook: str = ""
    raw: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)
    expired: set[str] = field(default_factory=set)
    image_failures: int = 0
    image_fetches: list[str] = field(default_factory=list)


class FakeZalo:
    """The Zalo Bot API for one bot; tests play the users and read what the bot sent."""

    def __init__(
        self,
        token: str = "1459232241454765289:fakeZaloTokenAbc123",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        # Seconds for the rate limit; a test passes its fake clock so limits follow it.
        self.clock = clock
        self.too_many = 0
        """How many sends were answered 429 by the limit or the random refusals."""
        self._limit: float | None = None
        self._window: deque[float] = deque()
        self._random: tuple[float, random.Random] | None = None
        self._slow: dict[str, list[float]] = {}
        self.wrap = True
        self.idle_status = 408
        self._state = _State()
        self._changed = threading.Condition(threading.RLock())
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False

    @property
    def url(self) -> str:
        """The base URL to pass as the Zalo API URL."""
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeZalo:
        """Listen on a free port in a background thread."""
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and release any long poll still waiting."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def user_sends(self, user_id: str, text: str, display_name: str = "Trần Thị Bích") -> str:
        """Queue a text message from a user; return its message_id."""
        return self._queue("message.text.received", user_id, display_name, {"text": text})

    def user_sends_image(self, user_id: str, url: str, caption: str = "") -> str:
        """Queue a photo from a user (Zalo passes its URL); return its message_id."""
        extra: dict[str, Any] = {"photo_url": url}
        if caption:
            extra["caption"] = caption
        return self._queue("message.image.received", user_id, "Trần Thị Bích", extra)

    def image_url(self, data: bytes) -> str:
        """Put `data` on this fake's own CDN; return its URL, as Zalo hands out for a photo."""
        name = uuid.uuid4().hex
        with self._changed:
            self._state.images[name] = data
        # Long and signed-looking, as Zalo's CDN addresses are.
        return f"{self.url}/cdn/{name}.jpg?sig={'x' * 400}&exp=1774000000"

    def expire_images(self, *urls: str) -> None:
        """These image URLs (all of them when none are given) now answer 403, as the CDN does
        once a link has expired."""
        with self._changed:
            names = [_image_name(url) for url in urls] or list(self._state.images)
            self._state.expired.update(names)

    def fail_image_fetches(self, count: int) -> None:
        """The next `count` image downloads answer 503, as a busy CDN edge may."""
        with self._changed:
            self._state.image_failures = count

    @property
    def image_fetches(self) -> list[str]:
        """The status of every image download the bot made, in order ('200', '403', …)."""
        with self._changed:
            return list(self._state.image_fetches)

    def serve_image(self, path: str) -> tuple[int, bytes]:
        """Answer GET /cdn/<name>: the bytes, 403 once expired, 404 for an unknown name."""
        name = _image_name(path)
        with self._changed:
            if self._state.image_failures > 0:
                self._state.image_failures -= 1
                status, data = 503, b"Service Unavailable"
            elif name in self._state.expired:
                status, data = 403, b"<html><body>403 Forbidden</body></html>"
            elif name in self._state.images:
                status, data = 200, self._state.images[name]
            else:
                status, data = 404, b"<html><body>404 Not Found</body></html>"
            self._state.image_fetches.append(str(status))
            self._changed.notify_all()
            return status, data

    def user_sends_sticker(self, user_id: str) -> str:
        """Queue a sticker from a user; return its message_id."""
        extra = {"sticker": "0e078a2fb66a5f34067b", "url": "https://zalo.example/sticker.webp"}
        return self._queue("message.sticker.received", user_id, "Trần Thị Bích", extra)

    def replay_last(self) -> None:
        """Put the last update handed out back at the front, as Zalo may redeliver it."""
        with self._changed:
            assert self._state.last is not None, "no update was handed out yet"
            self._state.pending.appendleft(self._state.last)
            self._changed.notify_all()

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        count: int = 1,
        retry_after: float | None = None,
        skip: int = 0,
    ) -> None:
        """Make `count` calls of `method` fail with `status`, after letting `skip` through."""
        with self._changed:
            failure = _Failure(status, description, count, retry_after, skip)
            self._state.failures[method] = failure

    def answer_raw_next(
        self, method: str, status: int, body: str, content_type: str = "application/json"
    ) -> None:
        """Answer the next call to `method` with this literal body (an HTML error page, a JSON
        answer of the wrong shape …), as a proxy or a broken server in between might."""
        with self._changed:
            self._state.raw.setdefault(method, []).append((status, body, content_type))

    def take_raw(self, method: str) -> tuple[int, str, str] | None:
        """The literal answer queued for this call of `method`, if any (used by the server)."""
        with self._changed:
            queued = self._state.raw.get(method)
            if not queued:
                return None
            self._state.calls.append((method, {}))
            self._changed.notify_all()
            return queued.pop(0)

    def limit(self, per_second: float | None) -> None:
        """Refuse sends with 429 "Quota exceeded" (no delay given, as Zalo documents it) beyond
        `per_second` accepted in any one second; None lifts the limit."""
        with self._changed:
            self._limit = per_second
            self._window.clear()

    def refuse_randomly(self, fraction: float, seed: int = 0) -> None:
        """Answer a seeded random `fraction` of sends with 429 "Quota exceeded"."""
        with self._changed:
            self._random = (fraction, random.Random(seed)) if fraction else None

    def slow_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Answer the next `count` calls to `method` only after `seconds` (then as usual)."""
        with self._changed:
            self._slow.setdefault(method, []).extend([seconds] * count)

    def sent_counts(self) -> dict[str, int]:
        """How many messages (texts and photos) each chat received."""
        with self._changed:
            counts: dict[str, int] = {}
            for sent in self._state.sent:
                counts[sent["chat_id"]] = counts.get(sent["chat_id"], 0) + 1
            return counts

    def block(self, chat_id: str) -> None:
        """The user blocks the bot: every later send to them fails (see the module note)."""
        with self._changed:
            self._state.blocked.add(chat_id)

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every (method, body) received, in order."""
        with self._changed:
            return list(self._state.calls)

    def messages_to(self, chat_id: str) -> list[str]:
        """Texts the bot delivered to a chat: message texts and photo captions, in order."""
        with self._changed:
            return [
                sent.get("text") or sent.get("caption", "")
                for sent in self._state.sent
                if sent["chat_id"] == chat_id and (sent.get("text") or sent.get("caption"))
            ]

    def photos_to(self, chat_id: str) -> list[str]:
        """URLs of the photos the bot delivered to a chat, in order."""
        with self._changed:
            sent = self._state.sent
            return [s["photo"] for s in sent if s["chat_id"] == chat_id and "photo" in s]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Block until `predicate()` holds (checked on every API call); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                # Also wake now and then: the predicate may watch state outside this fake.
                self._changed.wait(min(left, 0.05))
            return True

    def _queue(self, event: str, user_id: str, name: str, extra: dict[str, Any]) -> str:
        message_id = uuid.uuid4().hex[:20]
        message = {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": user_id, "chat_type": "PRIVATE"},
            "message_id": message_id,
            "date": int(time.time() * 1000),
            **extra,
        }
        with self._changed:
            self._state.pending.append({"event_name": event, "message": message})
            self._changed.notify_all()
        return message_id

    def answer(self, token: str, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Serve one API call; called from the server's threads."""
        with self._changed:
            delays = self._slow.get(method)
            delay = delays.pop(0) if delays else 0.0
        if delay:
            # Outside the lock: other calls go on meanwhile.
            time.sleep(delay)
        with self._changed:
            self._state.calls.append((method, body))
            self._changed.notify_all()
            if token != self.token:
                return _error(401, "Unauthorized")
            failure = self._state.failures.get(method)
            if failure is not None and failure.skip > 0:
                failure.skip -= 1
            elif failure is not None:
                failure.count -= 1
                if failure.count <= 0:
                    del self._state.failures[method]
                status, error = _error(failure.status, failure.description)
                if failure.retry_after is not None:
                    error["parameters"] = {"retry_after": failure.retry_after}
                return status, error
            if method in ("sendMessage", "sendPhoto") and self._refused():
                self.too_many += 1
                return _error(429, "Quota exceeded")
        if method == "getUpdates":
            return self._get_update(body)
        with self._changed:
            return self._answer_now(method, body)

    def _refused(self) -> bool:
        if self._random is not None:
            fraction, rng = self._random
            if rng.random() < fraction:
                return True
        if self._limit is not None:
            now = self.clock()
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= self._limit:
                return True
            self._window.append(now)
        return False

    def _answer_now(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getMe":
            me = {"id": "1459232241454765289", "account_name": "bot.HocTapXa"}
            return 200, {"ok": True, "result": {**me, "account_type": "BASIC"}}
        if method in ("setWebhook", "deleteWebhook", "getWebhookInfo"):
            if method != "getWebhookInfo":
                self._state.webhook = str(body.get("url", "")) if method == "setWebhook" else ""
            info = {"url": self._state.webhook, "updated_at": int(time.time() * 1000)}
            return 200, {"ok": True, "result": info}
        if method in ("sendMessage", "sendPhoto", "sendChatAction"):
            return self._send(method, body)
        return _error(404, "Not found")

    def _send(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = body.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            return _error(400, "Bad request: chat_id is required")
        if chat_id in self._state.blocked:
            return _error(403, "Forbidden: the user has blocked the bot")
        if method == "sendChatAction":
            return 200, {"ok": True}
        sent: dict[str, Any] = {"method": method, "chat_id": chat_id}
        if method == "sendMessage":
            text = body.get("text")
            if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
                return _error(400, "Bad request: text must be 1 to 2000 characters")
            sent["text"] = text
        else:
            photo, caption = body.get("photo"), body.get("caption", "")
            if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
                return _error(400, "Bad request: photo must be an image URL")
            if not isinstance(caption, str) or len(caption) > TEXT_LIMIT:
                return _error(400, "Bad request: caption must be at most 2000 characters")
            sent.update(photo=photo, caption=caption)
        self._state.sent.append(sent)
        self._changed.notify_all()
        result = {"message_id": uuid.uuid4().hex[:20], "date": int(time.time() * 1000)}
        return 200, {"ok": True, "result": result}

    def _get_update(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            wait = max(0.0, float(body.get("timeout", 30)))
        except (TypeError, ValueError):
            return _error(400, "Bad request: timeout must be a number of seconds")
        deadline = time.monotonic() + wait
        with self._changed:
            while not self._state.pending and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            if not self._state.pending:
                return self.idle_status, _error(408, "Request timeout")[1]
            update = self._state.pending.popleft()
            self._state.last = update
            self._changed.notify_all()
        return 200, ({"ok": True, "result": update} if self.wrap else update)


class _Handler(BaseHTTPRequestHandler):
    owner: FakeZalo
    # Headers and body in one write, sent at once: otherwise Nagle's algorithm and the
    # client's delayed ACK hold every answer back some 40 ms.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        if not self.path.startswith("/cdn/"):
            self._reply(*_error(404, "Not found"))
            return
        status, data = self.owner.serve_image(self.path)
        kind = "image/jpeg" if status == 200 else "text/html; charset=utf-8"
        self._send_bytes(status, data, kind)

    def do_POST(self) -> None:
        parts = self.path.strip("/").split("/")
        if len(parts) != 2 or not parts[0].startswith("bot"):
            self._reply(*_error(404, "Not found"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            self._reply(*_error(400, "Bad request: body is not JSON"))
            return
        if not isinstance(body, dict):
            self._reply(*_error(400, "Bad request: body must be a JSON object"))
            return
        raw = self.owner.take_raw(parts[1]) if parts[0][3:] == self.owner.token else None
        if raw is not None:
            self._send_bytes(raw[0], raw[1].encode("utf-8"), raw[2])
            return
        self._reply(*self.owner.answer(parts[0][3:], parts[1], body))

    def _reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self._send_bytes(status, data, "application/json; charset=utf-8")

    def _send_bytes(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The bot gave up waiting (a slow answer it timed out on): nobody to tell.
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        # The request line holds the token; keep the test output clean anyway.
        return


def _error(status: int, description: str) -> tuple[int, dict[str, Any]]:
    return status, {"ok": False, "error_code": status, "description": description}


def _image_name(url: str) -> str:
    """The name of an image on the fake CDN, from its URL or path."""
    return url.split("/cdn/", 1)[-1].split("?", 1)[0].removesuffix(".jpg")
