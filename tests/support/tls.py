"""One default TLS context for every HTTP client the tests make.

The bot's clients (httpx directly and inside python-telegram-bot) each build a TLS context
with certifi's whole bundle, some 45 ms apiece, hundreds of times a run, though the tests
only ever speak plain HTTP to fakes on 127.0.0.1. The first default context built serves
every client after it; any other `verify` is built as asked.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx._transports.default as transports

_built = transports.create_ssl_context
_default: ssl.SSLContext | None = None


def _shared(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
    global _default
    if verify is not True or cert is not None or not trust_env:
        return _built(verify=verify, cert=cert, trust_env=trust_env)
    if _default is None:
        _default = _built(verify=verify, cert=cert, trust_env=trust_env)
    return _default


def share_default_context() -> None:
    """Make every httpx client in this process take the one default TLS context."""
    transports.create_ssl_context = _shared  # type: ignore[assignment]
