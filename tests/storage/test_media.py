"""Kept photos and files: one row per platform reference, claimed by one fetcher at a time,
retried after 30 s doubling, given up after eight tries or a day, or at once when refused."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Engine, inspect
from sqlmodel import Session, select

from storage.db import alembic_config, transaction
from storage.media import claim_due, keep, lookup, mark_failed, mark_stored
from storage.models import Media

AT = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
URL = "https://photo-stal.zadn.vn/bot/" + "a" * 900 + ".jpg"
"""A Zalo image URL, signed and long."""


def kept(database: Engine, ref: str = "AgACAgRoof", channel: str = "telegram") -> int:
    """Keep one photo, as the report step does; return its id."""
    with transaction(database) as session:
        return keep(session, channel=channel, platform_ref=ref, kind="photo", now=AT)


def row(database: Engine, media_id: int) -> Media:
    """The kept photo as stored now."""
    with Session(database) as session:
        found = lookup(session, media_id)
        assert found is not None
        return found


def test_the_same_photo_is_kept_once(database: Engine) -> None:
    """A photo forwarded twice is one row; the same file_id on another app is another."""
    first = kept(database)
    assert kept(database) == first
    assert kept(database, channel="zalo") != first
    long_url = kept(database, URL, "zalo")
    assert row(database, long_url).platform_ref == URL
    with Session(database) as session:
        assert len(list(session.exec(select(Media)))) == 3


def test_a_claimed_photo_is_not_claimed_again_until_its_lease_runs_out(database: Engine) -> None:
    """Two fetchers claim at the same moment: only the first gets the photo; two minutes
    later, the first having vanished, another may take it."""
    media_id = kept(database)
    with transaction(database) as session:
        assert [m.id for m in claim_due(session, AT)] == [media_id]
    with transaction(database) as session:
        assert claim_due(session, AT) == []
    with transaction(database) as session:
        assert [m.id for m in claim_due(session, AT + dt.timedelta(minutes=2))] == [media_id]


def test_failures_are_retried_after_growing_pauses_then_given_up(database: Engine) -> None:
    """30 s, 1, 2, 4, 8, 16 and 32 minutes; the eighth failure gives up."""
    media_id = kept(database)
    now, pauses = AT, []
    for _try in range(8):
        with transaction(database) as session:
            status = mark_failed(session, media_id, "HTTP 503", now)
        if status == "failed":
            break
        due = row(database, media_id).next_try_at
        pauses.append(int((due - now).total_seconds()))
        now = due
    assert pauses == [30, 60, 120, 240, 480, 960, 1920]
    stored = row(database, media_id)
    assert (stored.status, stored.attempts, stored.last_error) == ("failed", 8, "HTTP 503")


def test_a_photo_a_day_old_is_given_up_and_a_refused_one_at_once(database: Engine) -> None:
    """A failure a day after the photo came ends the tries; a refusal ends them at once."""
    old, refused = kept(database), kept(database, "AgACAgExe")
    with transaction(database) as session:
        assert mark_failed(session, old, "HTTP 503", AT + dt.timedelta(days=1)) == "failed"
        assert mark_failed(session, refused, "refused", AT, final=True) == "failed"
    assert row(database, refused).attempts == 1


def test_stored_is_final(database: Engine) -> None:
    """Once stored, a late failure from a second fetcher changes nothing."""
    media_id = kept(database)
    with transaction(database) as session:
        mark_stored(session, media_id, path="2026/03/1.jpg", content_type="image/jpeg", size=9)
    with transaction(database) as session:
        assert mark_failed(session, media_id, "HTTP 403", AT) == "stored"
    stored = row(database, media_id)
    assert (stored.status, stored.stored_path, stored.size) == ("stored", "2026/03/1.jpg", 9)


def test_migration_0011_goes_down_and_up(database: Engine) -> None:
    """Downgrading drops the kept rows' table (the files stay); upgrading brings it back."""
    kept(database)
    config = alembic_config(database.url.render_as_string(hide_password=False))
    database.dispose()
    command.downgrade(config, "0010")
    try:
        assert "media" not in inspect(database).get_table_names()
        database.dispose()
    finally:
        command.upgrade(config, "head")
    assert kept(database) == 1
