"""Signed links to the bot's files: unguessable, single-purpose, valid for a day.

A token is `payload.signature`, both base64url: the payload names the purpose ("export",
"media", "chart"), the file (a path relative to that purpose's folder) and when the link
expires; the signature is an HMAC-SHA256 of the payload with the bot's link secret. A token
for one purpose opens nothing else, and changing any character of it breaks the signature.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import Engine
from sqlmodel import Session

from storage.db import transaction
from storage.people import read_setting, write_setting

LINK_LIFETIME = dt.timedelta(days=1)
SECRET_KEY = "link_secret"
"""Where a secret the bot made for itself is kept (the `setting` table)."""


class LinkRefused(Exception):
    """A token that opens nothing: altered, expired, or for another purpose."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinkSigner:
    """Makes and checks links with one secret."""

    secret: bytes
    public_url: str = ""

    def token(self, purpose: str, name: str, expires: dt.datetime) -> str:
        """A token that opens `name` for `purpose` until `expires`."""
        body = {"p": purpose, "f": name, "e": int(expires.timestamp())}
        payload = _encode(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
        return f"{payload}.{self._signature(payload)}"

    def open(self, token: str, purpose: str, now: dt.datetime) -> str:
        """The file a token opens for `purpose` now; LinkRefused says why it opens nothing."""
        payload, dot, signature = token.partition(".")
        if not dot or not hmac.compare_digest(signature, self._signature(payload)):
            raise LinkRefused("altered")
        try:
            body = json.loads(_decode(payload))
            name, expires, meant = str(body["f"]), int(body["e"]), str(body["p"])
        except (ValueError, KeyError, TypeError, binascii.Error) as error:
            raise LinkRefused("altered") from error
        if meant != purpose:
            raise LinkRefused("wrong purpose")
        if now.timestamp() >= expires:
            raise LinkRefused("expired")
        return name

    def link(self, purpose: str, name: str, now: dt.datetime, shown_as: str = "") -> str:
        """The public address of a file for one day, or '' when no PUBLIC_URL is set.

        `shown_as` ends the address (a file name people and apps see); it is not checked.
        """
        if not self.public_url:
            return ""
        token = self.token(purpose, name, now + LINK_LIFETIME)
        tail = quote(shown_as or name.rsplit("/", 1)[-1])
        return f"{self.public_url}/f/{purpose}/{token}/{tail}"

    def _signature(self, payload: str) -> str:
        digest = hmac.new(self.secret, payload.encode("ascii", "replace"), hashlib.sha256)
        return _encode(digest.digest())


def link_secret(database: Engine, configured: str) -> bytes:
    """The secret links are signed with: LINK_SECRET, else one made once and kept."""
    if configured:
        return configured.encode()
    with Session(database) as session:
        kept = read_setting(session, SECRET_KEY)
    if kept:
        return kept.encode()
    with transaction(database) as session:
        # Two processes starting together: the first one written wins, both read it back.
        if not read_setting(session, SECRET_KEY):
            write_setting(session, SECRET_KEY, secrets.token_urlsafe(32))
    with Session(database) as session:
        return read_setting(session, SECRET_KEY).encode()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
