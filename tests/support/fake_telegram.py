"""A fake Telegram Bot API on 127.0.0.1 for adapter and end-to-end tests.

All state lives in the FakeTelegram object behind one lock, so tests in the same process
(sync or async) and a bot running in another process see the same server.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Hoc Tap",
    "username": "hoctap_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
TOKEN = "7000000001:AAFakeTokenForTests-hoctap_0123456789"
# Form fields the Bot API reads as JSON, numbers or booleans (PTB posts everything as text).
JSON_FIELDS = {
    "reply_markup",
    "allowed_updates",
    "commands",
    "scope",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
    "media",
}
INT_FIELDS = {"chat_id", "offset", "limit", "timeout", "message_id", "cache_time", "user_id"}
BOOL_FIELDS = {"drop_pending_updates", "disable_notification", "protect_content", "show_alert"}
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010101004800480000"
    "ffdb004300030202020203020202030303030406040404040408060605060908"
    "0a0a090809090a0c0f0c0a0b0e0b09090d110d0e0f101011100a0c12131210130f101010"
    "ffc9000b080001000101011100ffcc000600101005ffda0008010100003f00d2cf20ffd9"
)
"""A 1×1 JPEG: what a photo a person sends holds unless a test gives other bytes."""
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
"""A one-object PDF: what a file a person sends holds unless a test gives other bytes."""
FUTURE_OFFSET_SLACK = 10
"""How far beyond the next update_id an offset may be before the Bot API ignores it."""
SEND_METHODS = {"sendmessage", "senddocument", "sendphoto"}
METHODS = {
    name.lower(): name
    for name in (
        "getMe",
        "deleteWebhook",
        "getUpdates",
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "answerCallbackQuery",
        "setMyCommands",
        "getFile",
        "editMessageReplyMarkup",
    )
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
EDIT_NOT_FOUND = "Bad Request: message to edit not found"
CANT_EDIT = "Bad Request: message can't be edited"


class FakeTelegram:
    """A Bot API server with a test API to play users and inspect what the bot did."""

    def __init__(self, token: str = TOKEN, clock: Callable[[], float] = time.monotonic) -> None:
        self.token = token
        # Seconds for the rate limit; a test passes its fake clock so limits follow it.
        self.clock = clock
        self.too_many = 0
        """How many sends were answered 429 by the limit or the random refusals."""
        self._limit: tuple[float, float] | None = None
        self._window: deque[float] = deque()
        self._random: tuple[float, random.Random, float] | None = None
        self._slow: dict[str, list[float]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._changed = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 100000001
        self._ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._sent: dict[int, list[dict[str, Any]]] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._file_data: dict[str, bytes] = {}
        """The bytes behind each file_path, served at {api}/file/bot<token>/<file_path>."""
        self.downloads: list[str] = []
        """The file_path of every file the bot downloaded, in order."""
        self.uploads: dict[int, list[Upload]] = {}
        """Files the bot uploaded, per chat, in order."""
        self._failures: dict[str, list[dict[str, Any] | None]] = {}
        self._raw: dict[str, list[tuple[int, RawAnswer]]] = {}
        self._without_id: set[int] = set()
        self._from_users: dict[int, set[int]] = {}
        self._edits: dict[int, list[int]] = {}
        self._blocked: set[int] = set()
        self._forgotten: set[int] = set()
        self._server: ThreadingHTTPServer | None = None
        self._stopping = False

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> FakeTelegram:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Wake long polls and shut the server down."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:PORT (what TELEGRAM_API_URL is set to)."""
        assert self._server, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- playing users ----------------------------------------------------------------------

    def user_sends(
        self, user_id: int, text: str, *, first_name: str = "An", language_code: str = "vi"
    ) -> int:
        """A person sends a text in their private chat with the bot; returns the update_id."""
        message: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            message["entities"] = [
                {"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}
            ]
        return self._user_message(user_id, message, first_name, language_code)

    def user_sends_photo(
        self,
        user_id: int,
        file_id: str = "AgACAgUAAxkBAAIBPhoto",
        caption: str = "",
        *,
        first_name: str = "An",
        language_code: str = "vi",
        data: bytes | None = None,
    ) -> int:
        """A person sends a photo (three sizes, the largest under `file_id`, holding `data`:
        by default a small JPEG)."""
        data = TINY_JPEG if data is None else data
        sizes = [(90, 68, f"{file_id}-s"), (320, 240, f"{file_id}-m"), (1280, 960, file_id)]
        photo = [
            {
                "file_id": fid,
                "file_unique_id": f"u{fid[-8:]}",
                "file_size": len(data) if fid == file_id else w * h // 10,
                "width": w,
                "height": h,
            }
            for w, h, fid in sizes
        ]
        with self._changed:
            for size in photo:
                path = f"photos/{size['file_id']}.jpg"
                self._files[size["file_id"]] = {**size, "file_path": path}
                self._file_data[path] = data if size["file_id"] == file_id else TINY_JPEG
        message: dict[str, Any] = {"photo": photo}
        if caption:
            message["caption"] = caption
        return self._user_message(user_id, message, first_name, language_code)

    def user_sends_document(
        self,
        user_id: int,
        file_id: str,
        file_name: str,
        caption: str = "",
        *,
        first_name: str = "An",
        language_code: str = "vi",
        data: bytes | None = None,
    ) -> int:
        """A person sends a file holding `data` (by default a small PDF)."""
        data = TINY_PDF if data is None else data
        document = {
            "file_name": file_name,
            "mime_type": "application/pdf",
            "file_id": file_id,
            "file_unique_id": f"u{file_id[-8:]}",
            "file_size": len(data),
        }
        with self._changed:
            path = f"documents/{file_name}"
            self._files[file_id] = {**document, "file_path": path}
            self._file_data[path] = data
        message: dict[str, Any] = {"document": document}
        if caption:
            message["caption"] = caption
        return self._user_message(user_id, message, first_name, language_code)

    def user_taps(self, user_id: int, callback_data: str, message_id: int | None = None) -> int:
        """A person taps a button on the bot's last message to them (or on `message_id`)."""
        with self._changed:
            sent = self._sent.get(user_id, [])
            message = next(
                (m for m in reversed(sent) if message_id is None or m["message_id"] == message_id),
                None,
            )
            assert message, f"the bot has sent no message {message_id or ''} to {user_id}"
            query = {
                "id": str(4000000000000000000 + next(self._ids)),
                "from": self._user(user_id),
                "message": message,
                "chat_instance": f"-{user_id}77",
                "data": callback_data,
            }
            return self._push({"callback_query": query})

    def push_update(self, payload: dict[str, Any], *, with_update_id: bool = True) -> int:
        """Queue any raw update (edited_message, my_chat_member …); update_id is filled in.

        `with_update_id=False` serves it without one (a malformed update): it still takes its
        place in the queue and is confirmed by any offset beyond it.
        """
        with self._changed:
            update_id = self._push(dict(payload))
            if not with_update_id:
                self._without_id.add(update_id)
            return update_id

    def restart_update_ids(self, first: int = 1) -> None:
        """Number the next updates from `first`, as Telegram does after a quiet week or for a
        new bot token: update_ids are no lasting identity."""
        with self._changed:
            self._next_update_id = first

    def answer_raw_next(
        self, method: str, status: int, body: str, content_type: str = "application/json"
    ) -> None:
        """Answer the next call to `method` with this literal body (an HTML error page, a JSON
        answer of the wrong shape …), as a proxy or a broken server in between might."""
        with self._changed:
            answer = RawAnswer(body.encode("utf-8"), content_type)
            self._raw.setdefault(method.lower(), []).append((status, answer))

    def _user_message(
        self, user_id: int, content: dict[str, Any], first_name: str, language_code: str
    ) -> int:
        with self._changed:
            self._users[user_id] = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name,
                "language_code": language_code,
            }
            message = {
                "message_id": self._next_message_id(user_id),
                "from": self._user(user_id),
                "chat": self._chat(user_id),
                "date": int(time.time()),
                **content,
            }
            self._from_users.setdefault(user_id, set()).add(message["message_id"])
            return self._push({"message": message})

    def _push(self, update: dict[str, Any]) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, **update})
        self._changed.notify_all()
        return update_id

    # -- inspecting the bot -------------------------------------------------------------------

    def messages_to(self, chat_id: int | str) -> list[dict[str, Any]]:
        """Every message the bot sent to a chat, as the API answered it."""
        with self._changed:
            return list(self._sent.get(int(chat_id), []))

    def last_buttons(self, chat_id: int | str) -> list[tuple[str, str]]:
        """(callback_data, text) of every button on the bot's last message to a chat."""
        sent = self.messages_to(chat_id)
        rows = sent[-1].get("reply_markup", {}).get("inline_keyboard", []) if sent else []
        return [(button["callback_data"], button["text"]) for row in rows for button in row]

    def buttons_of(self, chat_id: int | str, message_id: int) -> list[tuple[str, str]]:
        """(callback_data, text) of every button a message of the bot shows now."""
        found = [m for m in self.messages_to(chat_id) if m["message_id"] == message_id]
        assert found, f"the bot sent no message {message_id} to {chat_id}"
        rows = found[0].get("reply_markup", {}).get("inline_keyboard", [])
        return [(button["callback_data"], button["text"]) for row in rows for button in row]

    def edits_of(self, chat_id: int | str, message_id: int) -> int:
        """How many times the bot changed a message's buttons."""
        with self._changed:
            return self._edits.get(int(chat_id), []).count(message_id)

    def delete(self, chat_id: int | str, message_id: int) -> None:
        """The person deletes a message of the bot (for both sides, as private chats allow)."""
        with self._changed:
            sent = self._sent.get(int(chat_id), [])
            self._sent[int(chat_id)] = [m for m in sent if m["message_id"] != message_id]

    def unconfirmed(self) -> list[int]:
        """update_ids the bot has not confirmed yet with a higher getUpdates offset."""
        with self._changed:
            return [update["update_id"] for update in self._updates]

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        """The parameters of every call to one method, in order."""
        with self._changed:
            return [params for name, params in self.calls if name == method]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Block until `predicate()` holds (re-checked on every change); False on timeout."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout)

    async def until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """`wait_for` for async tests, without blocking the event loop."""
        return await asyncio.to_thread(self.wait_for, predicate, timeout)

    # -- failures -----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
        skip: int = 0,
    ) -> None:
        """Answer `count` calls to `method` with a Bot API error, after letting `skip` through."""
        error: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            error["parameters"] = {"retry_after": retry_after}
        with self._changed:
            self._failures.setdefault(method.lower(), []).extend([None] * skip + [error] * count)

    def limit(self, per_second: float | None, retry_after: float = 1) -> None:
        """Refuse sends (429) beyond `per_second` accepted in any one second; None lifts it."""
        with self._changed:
            self._limit = None if per_second is None else (per_second, retry_after)
            self._window.clear()

    def refuse_randomly(self, fraction: float, seed: int = 0, retry_after: float = 1) -> None:
        """Answer a seeded random `fraction` of sends with 429 retry_after, as a busy API may."""
        with self._changed:
            self._random = (fraction, random.Random(seed), retry_after) if fraction else None

    def slow_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Answer the next `count` calls to `method` only after `seconds` (then as usual)."""
        with self._changed:
            self._slow.setdefault(method.lower(), []).extend([seconds] * count)

    def sent_counts(self) -> dict[int, int]:
        """How many messages each chat received."""
        with self._changed:
            return {chat: len(messages) for chat, messages in self._sent.items()}

    def block(self, chat_id: int | str) -> None:
        """The person blocks the bot: sends answer 403."""
        with self._changed:
            self._blocked.add(int(chat_id))

    def forget(self, chat_id: int | str) -> None:
        """The chat no longer exists for the bot: sends answer 400 chat not found."""
        with self._changed:
            self._forgotten.add(int(chat_id))

    def download(self, token: str, file_path: str) -> tuple[int, dict[str, Any] | RawAnswer]:
        """Serve GET /file/bot<token>/<file_path> as Telegram does: the bytes, or its 404."""
        with self._changed:
            data = self._file_data.get(file_path) if token == self.token else None
            if data is None:
                # Telegram's answer for a wrong token or a file_path it does not know.
                return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            self.downloads.append(file_path)
            self._changed.notify_all()
            return 200, RawAnswer(data, "application/octet-stream")

    # -- the Bot API ----------------------------------------------------------------------------

    def answer(
        self, token: str, name: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any] | RawAnswer]:
        """Serve one Bot API call: (HTTP status, JSON body or a literal answer)."""
        if token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        method = METHODS.get(name.lower())
        if method is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        with self._changed:
            delays = self._slow.get(method.lower())
            delay = delays.pop(0) if delays else 0.0
        if delay:
            # Outside the lock: other calls go on meanwhile, as they would on Telegram.
            time.sleep(delay)
        with self._changed:
            self.calls.append((method, params))
            self._changed.notify_all()
            raw = self._raw.get(method.lower())
            if raw:
                return raw.pop(0)
            failures = self._failures.get(method.lower())
            error = failures.pop(0) if failures else None
            if error is not None:
                return error["error_code"], error
            if method.lower() in SEND_METHODS:
                wait = self._refusal()
                if wait is not None:
                    self.too_many += 1
                    return 429, too_many_requests(wait)
        if method == "getUpdates":
            return 200, {"ok": True, "result": self._get_updates(params)}
        with self._changed:
            status, body = self._serve(method, params)
            self._changed.notify_all()
            return status, body

    def _serve(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method.lower() in SEND_METHODS:
            return self._send(method, params)
        if method == "editMessageReplyMarkup":
            return self._edit_markup(params)
        if method == "getMe":
            return 200, {"ok": True, "result": BOT_USER}
        if method == "setMyCommands":
            scope = params.get("scope") or {"type": "default"}
            self.commands[_scope_key(scope, params.get("language_code", ""))] = list(
                params.get("commands", [])
            )
            return 200, {"ok": True, "result": True}
        if method == "getFile":
            found = self._files.get(str(params.get("file_id", "")))
            if not found:
                return 400, _bad("Bad Request: invalid file_id")
            keys = ("file_id", "file_unique_id", "file_size", "file_path")
            return 200, {"ok": True, "result": {k: found[k] for k in keys if k in found}}
        return 200, {"ok": True, "result": True}  # deleteWebhook, answerCallbackQuery

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, limit = int(params.get("offset") or 0), int(params.get("limit") or 100)
        allowed = params.get("allowed_updates") or []
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._changed:
            # An offset more than 10 beyond the next update_id is ignored, as the Bot API
            # server does (TDLib's TQueue: "from_id is in the future"): after update_ids
            # start over, a bot still asking from its old offset is served from the start.
            if offset and offset <= self._next_update_id + FUTURE_OFFSET_SLACK:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while True:
                ready = [u for u in self._updates if not allowed or set(u) & set(allowed)]
                # Updates of types the bot did not ask for are dropped, as Telegram does.
                self._updates = [u for u in self._updates if u in ready]
                left = deadline - time.monotonic()
                if ready or left <= 0 or self._stopping:
                    return [self._served(update) for update in ready[:limit]]
                self._changed.wait(left)

    def _served(self, update: dict[str, Any]) -> dict[str, Any]:
        if update["update_id"] in self._without_id:
            return {k: v for k, v in update.items() if k != "update_id"}
        return update

    def _refused_chat(self, chat_id: object) -> tuple[int, dict[str, Any]] | None:
        """Telegram's answer for a chat the bot cannot write to, or None when it can."""
        if not isinstance(chat_id, int):
            return 400, _bad("Bad Request: chat not found")
        if chat_id in self._blocked:
            return 403, {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            }
        if chat_id in self._forgotten:
            return 400, _bad("Bad Request: chat not found")
        return None

    def _send(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = params.get("chat_id")
        refused = self._refused_chat(chat_id)
        if refused is not None:
            return refused
        problem = _invalid(method, params)
        if problem:
            return 400, _bad(problem)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "from": BOT_USER,
            "chat": self._chat(chat_id),
            "date": int(time.time()),
        }
        if method == "sendMessage":
            message["text"] = params["text"]
        elif method == "sendPhoto":
            fid = self._file_id(params, "photo", chat_id)
            message["photo"] = [
                {"file_id": fid, "file_unique_id": f"u{fid[-8:]}", "width": 1280, "height": 960}
            ]
        else:
            fid = self._file_id(params, "document", chat_id)
            name = self._files.get(fid, {}).get("file_name", "document.pdf")
            message["document"] = {
                "file_id": fid,
                "file_unique_id": f"u{fid[-8:]}",
                "file_name": name,
            }
        if params.get("caption"):
            message["caption"] = params["caption"]
        if (params.get("reply_markup") or {}).get("inline_keyboard"):
            # An empty keyboard is no keyboard: the message shows none.
            message["reply_markup"] = params["reply_markup"]
        self._sent.setdefault(chat_id, []).append(message)
        return 200, {"ok": True, "result": message}

    def _edit_markup(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """editMessageReplyMarkup: new buttons on a message of the bot; none removes them."""
        if params.get("inline_message_id"):
            # Messages sent via inline mode: the Bot API answers True, not the message.
            return 200, {"ok": True, "result": True}
        chat_id, message_id = params.get("chat_id"), params.get("message_id")
        refused = self._refused_chat(chat_id)
        if refused is not None:
            return refused
        if not isinstance(message_id, int):
            return 400, _bad("Bad Request: message identifier is not specified")
        problem = _invalid("editMessageReplyMarkup", params)
        if problem:
            return 400, _bad(problem)
        if message_id in self._from_users.get(chat_id, set()):
            return 400, _bad(CANT_EDIT)
        found = [m for m in self._sent.get(chat_id, []) if m["message_id"] == message_id]
        if not found:
            return 400, _bad(EDIT_NOT_FOUND)
        message = found[0]
        markup = params.get("reply_markup") or {}
        # An empty keyboard is no keyboard, as Telegram stores it.
        wanted = markup if markup.get("inline_keyboard") else None
        if wanted == message.get("reply_markup"):
            return 400, _bad(NOT_MODIFIED)
        if wanted is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = wanted
        message["edit_date"] = int(time.time())
        self._edits.setdefault(chat_id, []).append(message_id)
        return 200, {"ok": True, "result": dict(message)}

    def _refusal(self) -> float | None:
        """retry_after if this send is to be refused with 429, else None (and it counts)."""
        if self._random is not None:
            fraction, rng, retry_after = self._random
            if rng.random() < fraction:
                return retry_after
        if self._limit is not None:
            per_second, retry_after = self._limit
            now = self.clock()
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= per_second:
                return retry_after
            self._window.append(now)
        return None

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _user(self, user_id: int) -> dict[str, Any]:
        return self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "An"}

    def _file_id(self, params: dict[str, Any], field: str, chat_id: int) -> str:
        """The file_id of a sent photo or file: the one given, or a new one for an upload."""
        sent = params[field]
        if isinstance(sent, str) and sent.startswith("attach://"):
            # The upload may travel in a part of its own, named after attach://.
            sent = params.get(sent.removeprefix("attach://"), sent)
        if not isinstance(sent, Upload):
            return str(sent)
        fid = f"BQACAgUAAxkDUpload{next(self._ids):04d}"
        self._files[fid] = {
            "file_id": fid,
            "file_unique_id": f"u{fid[-8:]}",
            "file_size": len(sent.data),
            "file_name": sent.filename,
            "file_path": f"documents/{sent.filename}",
        }
        self.uploads.setdefault(chat_id, []).append(sent)
        return fid

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "first_name": self._user(chat_id)["first_name"], "type": "private"}


@dataclass(frozen=True)
class Upload:
    """A file the bot uploaded with a send (multipart), as Telegram received it."""

    filename: str
    data: bytes


class RawAnswer:
    """A literal HTTP body the fake serves instead of a JSON answer."""

    def __init__(self, data: bytes, content_type: str) -> None:
        self.data, self.content_type = data, content_type


def _invalid(method: str, params: dict[str, Any]) -> str:
    """The Bot API's own checks that an adapter bug would trip."""
    text = params.get("text")
    if method == "sendMessage" and not str(text or "").strip():
        return "Bad Request: message text is empty"
    if method == "sendMessage" and len(str(text)) > 4096:
        return "Bad Request: message is too long"
    if len(str(params.get("caption") or "")) > 1024:
        return "Bad Request: message caption is too long"
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    for button in (button for row in rows for button in row):
        if not 1 <= len(str(button.get("callback_data", "")).encode("utf-8")) <= 64:
            return "Bad Request: BUTTON_DATA_INVALID"
    return ""


def too_many_requests(retry_after: float) -> dict[str, Any]:
    """The Bot API's 429 answer, exactly as Telegram words it."""
    seconds = int(retry_after) if float(retry_after).is_integer() else retry_after
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {seconds}",
        "parameters": {"retry_after": seconds},
    }


def _bad(description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": 400, "description": description}


def _scope_key(scope: dict[str, Any], language_code: str) -> str:
    key = scope.get("type", "default")
    if "chat_id" in scope:
        key += f":{scope['chat_id']}"
    return f"{key}:{language_code}" if language_code else key


def _decode(name: str, value: str) -> Any:
    if name in JSON_FIELDS:
        return json.loads(value)
    if name in INT_FIELDS and value.lstrip("-").isdigit():
        return int(value)
    if name in BOOL_FIELDS:
        return value.lower() == "true"
    return value


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        params = json.loads(body)
        return {k: _decode(k, str(v)) if k in INT_FIELDS else v for k, v in params.items()}
    if content_type.startswith("multipart/form-data"):
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        form = BytesParser(policy=HTTP).parsebytes(head + body)
        params = {}
        for part in form.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True) or b""
            if part.get_filename():
                params[name] = Upload(str(part.get_filename()), payload)
            else:
                params[name] = _decode(name, payload.decode("utf-8"))
        return params
    return {k: _decode(k, v) for k, v in parse_qsl(body.decode("utf-8"), keep_blank_values=True)}


def _handler_for(fake: FakeTelegram) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body in one write, sent at once: otherwise Nagle's algorithm and the
        # client's delayed ACK hold every answer back some 40 ms.
        wbufsize = 1 << 16
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._serve_api()

        def do_POST(self) -> None:
            self._serve_api()

        def _serve_api(self) -> None:
            url = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            params = {k: _decode(k, v) for k, v in parse_qsl(url.query)}
            params.update(_parse_body(self.headers.get("Content-Type", ""), body))
            token, _, method = url.path.removeprefix("/bot").partition("/")
            if url.path.startswith("/file/bot"):
                # Clients send the path percent-encoded (PTB quotes the token's colon).
                path = unquote(url.path)
                token, _, file_path = path.removeprefix("/file/bot").partition("/")
                status, answer = fake.download(token, file_path)
            elif not url.path.startswith("/bot") or not method:
                status, answer = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            else:
                status, answer = fake.answer(token, method, params)
            content_type = "application/json"
            if isinstance(answer, RawAnswer):
                data, content_type = answer.data, answer.content_type
            else:
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
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
            """Stay quiet: request lines carry the token."""

    return Handler
