"""Logging never shows a bot token, in messages or in tracebacks."""

from __future__ import annotations

import logging

from bot.logs import RedactTokens

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, message, args, info)


def test_a_url_with_the_token_is_rewritten():
    """The request line httpx logs keeps its shape, without the token."""
    record = _record("HTTP Request: POST %s", f"https://api.telegram.org/bot{TOKEN}/getUpdates")
    assert RedactTokens([TOKEN, ""]).filter(record)
    assert (
        record.getMessage() == "HTTP Request: POST https://api.telegram.org/bot<token>/getUpdates"
    )


def test_a_traceback_mentioning_the_token_is_rewritten():
    """An exception text carrying the URL is redacted too."""
    try:
        raise ConnectionError(f"cannot reach /bot{TOKEN}/sendMessage")
    except ConnectionError as error:
        record = _record("send failed", exc=error)
    RedactTokens([TOKEN]).filter(record)
    assert record.exc_info is None
    assert TOKEN not in (record.exc_text or "") and "<token>" in (record.exc_text or "")


def test_a_malformed_record_is_kept_not_dropped():
    """A record whose arguments do not fit its message still gets logged."""
    assert RedactTokens([TOKEN]).filter(_record("%d items", "many"))
