"""The Vietnamese catalog is complete: every source string translated, nothing fuzzy."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.pofile import read_po

from scripts.catalog import extract

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "locales" / "vi" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _source_strings(tmp_path: Path) -> set[str]:
    return {str(message.id) for message in extract(tmp_path / "messages.pot") if message.id}


def _catalog() -> dict[str, tuple[str, bool]]:
    with CATALOG.open("rb") as handle:
        return {
            str(message.id): (str(message.string or ""), message.fuzzy)
            for message in read_po(handle, locale="vi")
            if message.id
        }


def test_every_source_string_has_a_vietnamese_translation(tmp_path):
    """No string a person can see is missing from the vi catalog."""
    catalog = _catalog()
    missing = sorted(_source_strings(tmp_path) - set(catalog))
    assert missing == []


def test_no_entry_is_untranslated_or_fuzzy():
    """Every entry has a translation that is not marked fuzzy."""
    bad = [msgid for msgid, (text, fuzzy) in _catalog().items() if not text or fuzzy]
    assert bad == []


def test_translations_keep_their_placeholders():
    """A translation uses exactly the {placeholders} of its source string."""
    wrong = [
        msgid
        for msgid, (text, _fuzzy) in _catalog().items()
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))
    ]
    assert wrong == []


def test_every_translated_literal_is_visible_to_extraction():
    """`Translator(locale)("…")` hides its string from the catalog: call it through `_`."""
    hidden = []
    for path in [*ROOT.glob("handlers/**/*.py"), *ROOT.glob("bot/**/*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            inner = node.func if isinstance(node, ast.Call) else None
            if (
                isinstance(inner, ast.Call)
                and isinstance(inner.func, ast.Name)
                and inner.func.id == "Translator"
            ):
                hidden.append(f"{path.name}:{node.lineno}")
    assert hidden == []


SLASH_COMMAND = re.compile(r"(?<![\w/])/[a-z]+")
TELEGRAM_ONLY = {
    # Invite codes go to an admin, who passes them on to someone on either app: the text
    # says what to do on each, and on Telegram that is /start.
    "On Telegram: open the link {link} or send /start {code}; on Zalo: send the code {code} "
    "to the bot.",
    "On Telegram: send /start {code} to the bot; on Zalo: send the code {code} to the bot.",
    # Shown only to Telegram chats (handlers.joining.explain): Zalo gets the text without it.
    "This is the learning-society bot of the commune office. To join, ask the office for an "
    "invite code and send it here (on Telegram: /start CODE).",
}
"""The only Vietnamese texts that may spell a slash command: each names Telegram with it."""

SAME_IN_VIETNAMESE = {"Menu", "menu"}
"""Source strings whose Vietnamese is the same word: offices say 'menu' too."""

ENGLISH = frozenset(
    {
        *("the", "and", "or", "with", "for", "from", "your", "you", "please", "what", "which"),
        *("this", "that", "not", "new", "yes", "back", "next", "today", "deadline", "note"),
        *("send", "tap", "press", "click", "button", "reply", "choose", "select", "skip"),
        *("cancel", "help", "report", "directive", "unit", "units", "fund", "received", "done"),
        *("status", "link", "invite", "code", "codes", "language", "file", "photo", "command"),
        "dialog",
    }
)
"""Everyday English words of the bot's texts; none is a Vietnamese syllable written without
marks in these texts ('to', 'do', 'an', 'no', 'so' are, so they are not listed)."""

CLI = re.compile(r"hoctap(?: [a-z]+)+")
"""A server command quoted for an admin ('hoctap units import'), not prose."""


def test_no_vietnamese_text_spells_a_slash_command():
    """Zalo has no slash commands: texts name them through handlers.words, never literally."""
    spelled = [
        msgid
        for msgid, (text, _fuzzy) in _catalog().items()
        if SLASH_COMMAND.search(text) and msgid not in TELEGRAM_ONLY
    ]
    assert spelled == []


def test_no_vietnamese_text_is_left_in_english():
    """No translation is the English source again, nor carries an English word."""
    same = [
        msgid
        for msgid, (text, _fuzzy) in _catalog().items()
        if text == msgid and re.search(r"[A-Za-z]", PLACEHOLDER.sub("", msgid))
    ]
    assert sorted(same) == sorted(SAME_IN_VIETNAMESE)
    english = {}
    for msgid, (text, _fuzzy) in _catalog().items():
        prose = CLI.sub("", SLASH_COMMAND.sub("", PLACEHOLDER.sub("", text)))
        words = {word.lower() for word in re.findall(r"\w+", prose)} & ENGLISH
        if words:
            english[msgid] = sorted(words)
    assert english == {}


def test_one_word_for_quiet_hours():
    """Every message about quiet hours calls them 'giờ nghỉ', and no other term is used."""
    catalog = _catalog()
    quiet = [text for msgid, (text, _fuzzy) in catalog.items() if "quiet hours" in msgid]
    assert quiet and all("giờ nghỉ" in text for text in quiet)
    others = ("yên lặng", "im lặng", "giờ yên tĩnh", "ban đêm")
    assert [text for text, _fuzzy in catalog.values() if any(o in text for o in others)] == []


def test_people_are_addressed_only_in_the_form_the_translator_replaces():
    """The catalog writes 'anh/chị' (replaced by ADDRESS_FORM) and never another form itself,
    so a commune that chose 'đồng chí' never gets a message saying 'ông/bà' or 'bạn'."""
    forms = re.compile(r"\b(?:đồng chí|ông/bà|quý vị|bạn)\b", re.IGNORECASE)
    assert [text for text, _fuzzy in _catalog().values() if forms.search(text)] == []
