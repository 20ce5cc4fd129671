"""Helpers for the tests of typed words: acknowledgements as stored, and what is said of them."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from storage.models import Acknowledgement, Person

NOTHING_WAITING = "Hiện không có công văn nào chờ anh/chị xác nhận."


def acked(number: str) -> str:
    """What a focal point is told when their acknowledgement is recorded, at 08:00."""
    return f"Đã xác nhận anh/chị nhận công văn số {number} lúc 08:00 ngày 20/03/2026."


def acknowledgements(database: Engine) -> list[tuple[int, str]]:
    """Every stored acknowledgement as (assignment, person's name), oldest first."""
    query = (
        select(Acknowledgement, Person)
        .join(Person, col(Person.id) == col(Acknowledgement.person_id))
        .order_by(col(Acknowledgement.id))
    )
    with Session(database) as session:
        return [(ack.assignment_id, person.name) for ack, person in session.exec(query)]
