"""Zalo Bot API answers read into one shape: ok or not, the error code, the update if any."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

_TRANSIENT = re.compile(r"internal server error|try again|temporar", re.IGNORECASE)


@dataclass(frozen=True)
class Reply:
    """One API answer: ok, or the error code from the body (else the HTTP status)."""

    ok: bool
    code: int
    body: Any
    result: Any
    description: str
    retry_after: float | None

    @property
    def summary(self) -> str:
        """The error code and description, for logs and send results."""
        return f"error {self.code}: {self.description or 'no description'}"

    @property
    def transient(self) -> bool:
        """Whether the description says the fault is on Zalo's side and passes."""
        return _TRANSIENT.search(self.description) is not None


def read_reply(response: httpx.Response) -> Reply:
    """Read an HTTP answer, whatever its body, into a Reply."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    envelope = body if isinstance(body, Mapping) else {}
    refused = envelope.get("ok") is False
    ok = response.is_success and not refused
    code = envelope.get("error_code") if refused else None
    if not isinstance(code, int) or isinstance(code, bool):
        code = 0 if ok else response.status_code
    # Some answers say 200 in HTTP and the real status in the body; the body wins.
    if not ok and code < 400:
        code = response.status_code if response.status_code >= 400 else 500
    description = str(envelope.get("description") or ("" if ok else response.reason_phrase))
    return Reply(
        ok=ok,
        code=code,
        body=body,
        result=envelope.get("result"),
        description=description,
        retry_after=_retry_after(envelope, response),
    )


def holds_update(body: Any) -> bool:
    """True for a getUpdates body carrying an update, wrapped in {ok, result} or bare."""
    if not isinstance(body, Mapping):
        return False
    if "ok" in body:
        return isinstance(body.get("result"), Mapping | list)
    return "message" in body or "event_name" in body


def _retry_after(envelope: Mapping[str, Any], response: httpx.Response) -> float | None:
    parameters = envelope.get("parameters")
    candidates = [
        parameters.get("retry_after") if isinstance(parameters, Mapping) else None,
        envelope.get("retry_after"),
        response.headers.get("Retry-After"),
    ]
    for value in candidates:
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            continue
        if seconds >= 0:
            return seconds
    return None
