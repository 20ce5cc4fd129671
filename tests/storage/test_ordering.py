"""The one order of every list: villages, schools, offices, each in Vietnamese order."""

from __future__ import annotations

import random

import pytest

from storage.db import transaction
from storage.models import Person, Role
from storage.ordering import sorted_names, unit_order
from storage.people import add_unit, list_units
from storage.roster import list_people
from storage.text import fold_name, unit_sort_key


def shuffled(names: list[str]) -> list[str]:
    mixed = list(names)
    random.Random(9).shuffle(mixed)
    assert mixed != names
    return mixed


def test_vietnamese_letters_come_after_their_base_letter():
    """ă, â after a; đ after every d (Dương before Đông); ê after e; ô, ơ after o; ư after u."""
    names = [
        "Thôn An",
        "Thôn Anh",
        "Thôn Ăn",
        "Thôn Ấp",
        "Thôn Bắc",
        "Thôn Dương",
        "Thôn Đông",
        "Thôn Eo",
        "Thôn Ếch",
        "Thôn Ong",
        "Thôn Ông",
        "Thôn Ơn",
        "Thôn Tây",
        "Thôn Uy",
        "Thôn Ưng",
    ]
    assert sorted_names(shuffled(names)) == names


def test_tones_break_ties_in_dictionary_order():
    """The letters decide first (Tạn before Tanh); then no tone, huyền, hỏi, ngã, sắc, nặng."""
    names = ["Tan", "Tàn", "Tản", "Tãn", "Tán", "Tạn", "Tanh", "Tân", "Tần"]
    assert sorted_names(shuffled(names)) == names


def test_numbers_by_value_and_case_last():
    """Thôn 2 before Thôn 10; a name differing only in case comes right next to it."""
    names = ["Thôn 1", "Thôn 2", "Thôn 9", "Thôn 10", "Thôn 12", "thôn đông", "Thôn Đông"]
    assert sorted_names(shuffled(names)) == names
    assert unit_sort_key("Thôn 02") < unit_sort_key("Thôn 10")


def test_the_order_ignores_how_the_name_was_typed():
    """Decomposed accents (as some phones send them) and doubled spaces sort like the clean name."""
    spaced = ["Thôn Đôn", "Thôn  Đông", "Thôn Đông A"]
    assert sorted_names(shuffled(spaced)) == spaced
    decomposed = "Tho\u0302n Đo\u0302ng"
    assert sorted_names(["Thôn Tây", decomposed, "Thôn Dương"]) == [
        "Thôn Dương",
        decomposed,
        "Thôn Tây",
    ]


@pytest.mark.parametrize(
    ("one", "other"),
    [("Thon Dong", "Thôn Đông"), ("THÔN ĐÔNG", "thôn đông"), ("Thôn  Tấn ", "thon tan")],
)
def test_names_that_differ_only_in_case_or_accents_fold_alike(one, other):
    """What the units import calls one unit typed twice."""
    assert fold_name(one) == fold_name(other)


def test_kinds_come_villages_schools_offices():
    """A school named with A still comes after every village."""
    keys = [unit_order("office", "An"), unit_order("village", "Xóm Z"), unit_order("school", "A")]
    assert sorted(keys) == [keys[1], keys[2], keys[0]]


def test_units_and_people_are_listed_in_that_order(database):
    """The commune's units and its focal points come back in the order every list shows."""
    with transaction(database) as session:
        units = {}
        for name, kind in [
            ("Trường THCS An Hưng", "school"),
            ("Thôn Tây", "village"),
            ("Trung tâm Văn hóa", "office"),
            ("Thôn 10", "village"),
            ("Thôn Đông", "village"),
            ("Thôn 2", "village"),
            ("Thôn Dương", "village"),
        ]:
            units[name] = add_unit(session, name, kind)
        for name, unit in [
            ("Đỗ Văn Đức", "Thôn 2"),
            ("Trần Thị Ánh", "Thôn Đông"),
            ("Dương Văn An", "Thôn 2"),
            ("Lê Thị Hoa", "Thôn 10"),
        ]:
            session.add(Person(name=name, role=Role.FOCAL.value, unit_id=units[unit].id))
        session.add(Person(name="Vũ Văn Chủ", role=Role.LEADER.value))
    with transaction(database) as session:
        assert [unit.name for unit in list_units(session)] == [
            "Thôn 2",
            "Thôn 10",
            "Thôn Dương",
            "Thôn Đông",
            "Thôn Tây",
            "Trường THCS An Hưng",
            "Trung tâm Văn hóa",
        ]
        assert [
            (person.name, unit.name if unit else "-") for person, unit in list_people(session)
        ] == [
            ("Vũ Văn Chủ", "-"),
            ("Dương Văn An", "Thôn 2"),
            ("Đỗ Văn Đức", "Thôn 2"),
            ("Lê Thị Hoa", "Thôn 10"),
            ("Trần Thị Ánh", "Thôn Đông"),
        ]
