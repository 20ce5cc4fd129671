"""Logging that never shows a bot token."""

from __future__ import annotations

import logging

from bot.config import Settings


class RedactTokens(logging.Filter):
    """Replaces every configured token in a log record with a placeholder."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message with the tokens blanked out."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record is logged as it is, not dropped
            return True
        if any(secret in message for secret in self.secrets):
            for secret in self.secrets:
                message = message.replace(secret, "<token>")
            record.msg, record.args = message, None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if any(secret in text for secret in self.secrets):
                for secret in self.secrets:
                    text = text.replace(secret, "<token>")
                record.exc_info, record.exc_text = None, text
        return True


def setup_logging(settings: Settings) -> None:
    """Log to stderr at the configured level, with tokens redacted."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactTokens([settings.telegram_bot_token, settings.zalo_bot_token]))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    # httpx logs every request URL, and the URL carries the token: keep it quiet anyway.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
