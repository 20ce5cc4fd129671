"""Outbox rows that change the buttons of a message already sent: the column and its migration."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import Engine, inspect, text
from sqlmodel import Session, col, select

from handlers.messages import Outbound, Recipient
from handlers.outbox import enqueue
from storage.db import alembic_config, transaction
from storage.models import OutboxMessage, OutboxStatus

AT = dt.datetime(2026, 3, 20, 1, 0, tzinfo=dt.UTC)
HERE = Recipient("telegram", "9001")
ASK = "Chọn các đơn vị nhận công văn (chọn lại để bỏ), rồi chọn Xong."


def queued(database: Engine, *messages: Outbound) -> list[int]:
    """Queue replies as the engine does; return their row ids."""
    with transaction(database) as session:
        rows = [enqueue(session, message, "vi", AT) for message in messages]
        session.flush()
        return [row.id for row in rows if row is not None and row.id is not None]


def stored(database: Engine) -> list[tuple[str, str, list[list[str]], str]]:
    """(text, edit_message_id, choices, status) of every row, oldest first."""
    with Session(database) as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        return [(r.text, r.edit_message_id, r.choices, r.status) for r in rows]


def test_a_reply_names_the_message_whose_buttons_it_changes(database: Engine) -> None:
    """The tick edits message 41; the chosen label edits 40; a new question edits nothing."""
    queued(
        database,
        Outbound(HERE, ASK, [("5.u2", "✓ Thôn Tây")], edit_message_id="41"),
        Outbound(HERE, "", [("~", "✓ Chọn đơn vị")], edit_message_id="40"),
        Outbound(HERE, "Hạn thực hiện là ngày nào?"),
    )

    assert stored(database) == [
        (ASK, "41", [["5.u2", "✓ Thôn Tây"]], "pending"),
        ("", "40", [["~", "✓ Chọn đơn vị"]], "pending"),
        ("Hạn thực hiện là ngày nào?", "", [], "pending"),
    ]
    columns = {c["name"]: c for c in inspect(database).get_columns("outboxmessage")}
    assert columns["edit_message_id"]["nullable"] is False


def test_bulk_inserts_that_leave_the_column_out_send_new_messages(database: Engine) -> None:
    """Reminders are inserted by SQL naming their columns: the database fills in ''."""
    with database.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO outboxmessage (channel, chat_id, text, choices, photo, document,"
                " locale, priority, status, attempts, parts_sent, not_before, last_error,"
                " created_at) VALUES ('telegram', '5001', 'Nhắc hạn báo cáo', '[]', '', '',"
                " 'vi', 10, 'pending', 0, 0, :at, '', :at)"
            ),
            {"at": AT.replace(tzinfo=None)},
        )

    assert stored(database) == [("Nhắc hạn báo cáo", "", [], "pending")]


def test_migration_0007_goes_down_and_up_keeping_every_text(database: Engine) -> None:
    """Going back to 0006, an edit still waiting that has text goes out as a new message (as
    when the message is gone); one that only takes buttons away is dropped, having nothing to
    send. Sent rows stay as they were."""
    tick, label, sent_label, question = queued(
        database,
        Outbound(HERE, ASK, [("5.u2", "✓ Thôn Tây")], edit_message_id="41"),
        Outbound(HERE, "", [("~", "✓ Xong")], edit_message_id="41"),
        Outbound(HERE, "", [("~", "✓ Chọn đơn vị")], edit_message_id="40"),
        Outbound(HERE, "Hạn thực hiện là ngày nào?"),
    )
    with transaction(database) as session:
        row = session.get(OutboxMessage, sent_label)
        assert row is not None
        row.status = OutboxStatus.SENT
        session.add(row)
    config = alembic_config(database.url.render_as_string(hide_password=False))
    database.dispose()
    command.downgrade(config, "0006")
    try:
        with database.connect() as connection:
            left = connection.execute(
                text("SELECT id, text FROM outboxmessage ORDER BY id")
            ).all()
        columns = {c["name"] for c in inspect(database).get_columns("outboxmessage")}
        database.dispose()
    finally:
        command.upgrade(config, "head")

    assert [tuple(row) for row in left] == [
        (tick, ASK),
        (sent_label, ""),
        (question, "Hạn thực hiện là ngày nào?"),
    ]
    assert label not in [row[0] for row in left]
    assert "edit_message_id" not in columns
    # Back at the head, the rows kept are plain messages.
    assert [edit for _text, edit, _choices, _status in stored(database)] == ["", "", ""]
