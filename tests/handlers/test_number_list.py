"""Several choice numbers typed at once, read the ways people type them."""

from __future__ import annotations

import pytest

from handlers.number_list import Numbers, OutOfRange, Unreadable, read_numbers


@pytest.mark.parametrize(
    ("typed", "numbers"),
    [
        ("1 3 5", (1, 3, 5)),
        ("1,3,5", (1, 3, 5)),
        ("1, 3 và 5", (1, 3, 5)),
        ("1, 3 va 5", (1, 3, 5)),
        ("1; 3. 5", (1, 3, 5)),
        ("số 1, 3, 5", (1, 3, 5)),
        ("1-4", (1, 2, 3, 4)),
        ("1 - 4", (1, 2, 3, 4)),
        ("1–4", (1, 2, 3, 4)),
        ("từ 1 đến 4", (1, 2, 3, 4)),
        ("2-4 7", (2, 3, 4, 7)),
        ("4-2", (2, 3, 4)),
        ("3 1 3 2-3", (3, 1, 2)),  # each once, in the order first typed
        ("１ ３", (1, 3)),  # full-width digits from some phone keyboards
    ],
)
def test_numbers_typed_any_common_way_are_read(typed: str, numbers: tuple[int, ...]) -> None:
    assert read_numbers(typed, 7) == Numbers(numbers)


@pytest.mark.parametrize("typed", ["tất cả", "Tất Cả", "tat ca", "chọn tất cả", "all"])
def test_all_means_every_number(typed: str) -> None:
    assert read_numbers(typed, 7) == Numbers(every=True)


@pytest.mark.parametrize(
    ("typed", "named"),
    [("8", "8"), ("1 0", "0"), ("6-9", "9"), ("09", "9"), ("1" * 40, "111111111…")],
)
def test_a_number_off_the_list_is_named(typed: str, named: str) -> None:
    with pytest.raises(OutOfRange) as raised:
        read_numbers(typed, 7)
    assert raised.value.number == named


@pytest.mark.parametrize(
    "typed", ["", "  ", "xin chào", "1-", "-3", "1-2-3", "1 hai 3", "😀", "1/3", "tất"]
)
def test_what_is_not_a_list_of_numbers_is_unreadable(typed: str) -> None:
    with pytest.raises(Unreadable):
        read_numbers(typed, 7)
