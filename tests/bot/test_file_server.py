"""The bot's web endpoint serves a file to a valid link only: altered 403, expired 410."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.file_server import FileServer
from bot.links import LINK_LIFETIME, LinkSigner

NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


class Clock:
    """The server's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    """An export folder holding a workbook, a media folder holding a photo."""
    exports, media = tmp_path / "exports", tmp_path / "media"
    (exports / "2026").mkdir(parents=True)
    media.mkdir()
    (exports / "2026" / "sổ quỹ.xlsx").write_bytes(b"PK\x03\x04 workbook")
    (media / "7.jpg").write_bytes(b"\xff\xd8\xff photo")
    (tmp_path / "secret.txt").write_text("not for anyone")
    return {"export": exports, "media": media}


@pytest.fixture
def served(folders) -> Iterator[tuple[FileServer, LinkSigner, Clock]]:
    """The endpoint on a free port of 127.0.0.1."""
    clock = Clock()
    server = FileServer(LinkSigner(b"secret"), folders, clock=clock).start()
    signer = LinkSigner(b"secret", f"http://127.0.0.1:{server.port}")
    yield server, signer, clock
    server.stop()


def test_the_link_downloads_the_workbook_with_its_vietnamese_name(served):
    """The office's Zalo link gives the file, typed as a workbook, named as it was made."""
    _server, signer, _clock = served
    answer = httpx.get(signer.link("export", "2026/sổ quỹ.xlsx", NOW))

    assert answer.status_code == 200
    assert answer.content == b"PK\x03\x04 workbook"
    assert answer.headers["content-type"].endswith("spreadsheetml.sheet")
    assert "s%E1%BB%95%20qu%E1%BB%B9.xlsx" in answer.headers["content-disposition"]


def test_a_photo_link_shows_the_photo_inline(served):
    """A photo link is an image a phone shows, not a download."""
    _server, signer, _clock = served
    answer = httpx.get(signer.link("media", "7.jpg", NOW))

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.headers["content-disposition"].startswith("inline")


def test_an_expired_link_is_gone_and_an_altered_one_forbidden(served):
    """A day later the link answers 410; with its token changed, 403; the file stays put."""
    _server, signer, clock = served
    link = signer.link("export", "2026/sổ quỹ.xlsx", NOW)
    prefix, token, name = link.rsplit("/", 2)
    flipped = token[:10] + ("x" if token[10] != "x" else "y") + token[11:]

    assert httpx.get(f"{prefix}/{flipped}/{name}").status_code == 403
    assert httpx.get(link.replace("/f/export/", "/f/media/")).status_code == 403
    clock.now = NOW + LINK_LIFETIME
    gone = httpx.get(link)
    assert gone.status_code == 410 and b"workbook" not in gone.content


def test_nothing_outside_the_folders_is_served(served, folders):
    """A signed name that climbs out of its folder, a deleted file, or another path: 404."""
    server, signer, _clock = served
    climbing = signer.token("export", "../secret.txt", NOW + LINK_LIFETIME)
    base = f"http://127.0.0.1:{server.port}"

    assert httpx.get(f"{base}/f/export/{climbing}/secret.txt").status_code == 404
    assert httpx.get(f"{base}/").status_code == 404
    (folders["media"] / "7.jpg").unlink()
    assert httpx.get(signer.link("media", "7.jpg", NOW)).status_code == 404
