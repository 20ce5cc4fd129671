"""Long messages are cut where a reader would cut them, never over a channel's limit."""

from __future__ import annotations

import unicodedata

from bot.channels.base import split_text

SENTENCE = "Các thôn tổ chức tuyên truyền về xây dựng xã hội học tập đến từng hộ gia đình. "


def paragraph(count: int) -> str:
    """A paragraph of `count` sentences about the directive."""
    return (SENTENCE * count).strip()


def test_short_text_comes_back_unchanged() -> None:
    assert split_text("Đã nhận công văn 669/KH-SGDĐT.", 4096) == ["Đã nhận công văn 669/KH-SGDĐT."]
    assert split_text("", 4096) == [""]


def test_a_long_message_is_cut_at_paragraph_breaks() -> None:
    paragraphs = [paragraph(30), paragraph(30), paragraph(30)]  # about 2,400 characters each
    text = "\n\n".join(paragraphs)

    parts = split_text(text, 4096)

    assert parts == paragraphs


def test_without_paragraphs_it_cuts_at_line_breaks() -> None:
    lines = [f"Thôn {n}: {paragraph(4)}" for n in range(1, 41)]
    text = "\n".join(lines)

    parts = split_text(text, 2000)

    assert len(parts) > 1
    assert all(len(part) <= 2000 for part in parts)
    # Every piece is made of whole lines, and nothing is lost or reordered.
    assert all(line in lines for part in parts for line in part.split("\n"))
    assert "\n".join(parts) == text


def test_a_paragraph_break_too_early_gives_way_to_a_later_line_break() -> None:
    text = "Kính gửi:\n\n" + "\n".join(paragraph(3) for _ in range(30))

    parts = split_text(text, 1000)

    assert parts[0].startswith("Kính gửi:\n\n")
    assert len(parts[0]) > 200
    assert all(len(part) <= 1000 for part in parts)


def test_without_line_breaks_it_cuts_between_words() -> None:
    text = paragraph(70)  # about 5,600 characters on one line

    parts = split_text(text, 4096)

    assert len(parts) == 2
    assert len(parts[0]) <= 4096
    # The cut is at the last space before the limit, so no word is broken.
    assert len(parts[0]) == text.rfind(" ", 0, 4096)
    words = set(SENTENCE.split())
    assert parts[0].split()[-1] in words
    assert parts[1].split()[0] in words
    assert " ".join(parts) == text


def test_the_limit_counts_characters_after_nfc() -> None:
    composed = paragraph(50)
    decomposed = unicodedata.normalize("NFD", composed)
    assert len(decomposed) > len(composed) + 500  # Vietnamese marks split into many code points

    limit = len(composed)
    assert split_text(decomposed, limit) == [composed]

    parts = split_text(decomposed, 1000)
    assert all(len(part) <= 1000 for part in parts)
    assert all(unicodedata.is_normalized("NFC", part) for part in parts)
    assert " ".join(parts) == composed


def test_a_single_5000_character_word_is_hard_split() -> None:
    word = "x" * 5000

    parts = split_text(word, 4096)

    assert parts == ["x" * 4096, "x" * 904]
