"""Signed links: a link opens its one file for its one purpose for a day, and nothing else."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.links import LINK_LIFETIME, LinkRefused, LinkSigner, link_secret
from storage.db import transaction
from storage.people import read_setting

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
SIGNER = LinkSigner(b"a secret of the commune office", "https://hoctap.anhung.vn")


def test_a_link_opens_its_file_until_the_next_day():
    """The export link made at 10:00 opens the workbook at 09:59 the next day, not at 10:00."""
    token = SIGNER.token("export", "so-quy-2026.xlsx", NOW + LINK_LIFETIME)

    assert SIGNER.open(token, "export", NOW + dt.timedelta(hours=23, minutes=59)) == (
        "so-quy-2026.xlsx"
    )
    with pytest.raises(LinkRefused, match="expired"):
        SIGNER.open(token, "export", NOW + LINK_LIFETIME)


@pytest.mark.parametrize("position", [0, 5, 20, -1, -10])
def test_a_link_with_any_character_changed_opens_nothing(position):
    """One character changed anywhere, in the payload or in the signature, is refused."""
    token = SIGNER.token("export", "so-quy-2026.xlsx", NOW + LINK_LIFETIME)
    changed = "A" if token[position] != "A" else "B"
    altered = (
        token[:position] + changed + token[position + 1 :]
        if position != -1
        else (token[:-1] + changed)
    )

    with pytest.raises(LinkRefused, match="altered"):
        SIGNER.open(altered, "export", NOW)


def test_a_link_for_a_photo_does_not_open_an_export():
    """A token made for one purpose is refused for another."""
    token = SIGNER.token("media", "2026/12/7.jpg", NOW + LINK_LIFETIME)

    with pytest.raises(LinkRefused, match="wrong purpose"):
        SIGNER.open(token, "export", NOW)


def test_a_link_from_another_secret_is_refused():
    """Another installation's link, or one made up, does not open this bot's files."""
    other = LinkSigner(b"another commune", SIGNER.public_url)
    token = other.token("export", "so-quy-2026.xlsx", NOW + LINK_LIFETIME)

    with pytest.raises(LinkRefused, match="altered"):
        SIGNER.open(token, "export", NOW)
    with pytest.raises(LinkRefused, match="altered"):
        SIGNER.open("not-a-token", "export", NOW)


def test_the_public_address_carries_the_file_name_and_none_without_public_url():
    """The link ends with the file's name for people and apps; no PUBLIC_URL, no link."""
    link = SIGNER.link("export", "tinh-hinh/bao-cao.docx", NOW)

    assert link.startswith("https://hoctap.anhung.vn/f/export/")
    assert link.endswith("/bao-cao.docx")
    assert LinkSigner(b"x").link("export", "bao-cao.docx", NOW) == ""


def test_the_secret_is_made_once_and_kept(database):
    """Without LINK_SECRET the bot makes a secret at first start and reads the same one later."""
    first = link_secret(database, "")
    again = link_secret(database, "")

    assert first == again and len(first) >= 40
    with transaction(database) as session:
        assert read_setting(session, "link_secret") == first.decode()
    assert link_secret(database, "from .env") == b"from .env"
