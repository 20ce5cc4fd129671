"""References to files a message carries, resolved per chat app when the message is sent.

An outbound photo or document is either a platform's own reference (a Telegram file_id, a
Zalo image URL), or one of these, which the sender turns into what each app can take (an
upload on Telegram, a signed link on Zalo when the bot has a public address):

- ``media:ID``: a photo or file a person sent, kept by the bot;
- ``export:NAME``: a file the bot made under its export folder;
- ``chart:DIRECTIVE_ID``: the status chart of a directive, drawn when sent.
"""

from __future__ import annotations

SCHEMES = ("media", "export", "chart")
UPLOAD_CHANNELS = frozenset({"telegram"})
"""Apps the bot can upload files to; the others get links, if the bot has a public address."""

_links = {"public": False}


def media_ref(media_id: int) -> str:
    """The reference of a kept photo or file."""
    return f"media:{media_id}"


def export_ref(name: str) -> str:
    """The reference of a file the bot made, by its name under the export folder."""
    return f"export:{name}"


def chart_ref(directive_id: int) -> str:
    """The reference of a directive's status chart."""
    return f"chart:{directive_id}"


def split_ref(ref: str) -> tuple[str, str]:
    """(scheme, rest) of a bot reference; ('', ref) for a platform's own."""
    scheme, colon, rest = ref.partition(":")
    return (scheme, rest) if colon and scheme in SCHEMES else ("", ref)


def use_public_links(enabled: bool) -> None:
    """Say whether apps without files (Zalo) can be sent links to the bot's files."""
    _links["public"] = enabled


def public_links() -> bool:
    """True when the bot has a public address, so Zalo users can be sent links to files."""
    return _links["public"]


def photos_reach(channel: str) -> bool:
    """True when a photo the bot made can reach a chat on `channel`: uploaded, or by link."""
    return channel in UPLOAD_CHANNELS or public_links()
