"""Words people type instead of commands, and naming commands the way each chat app takes them.

On Telegram there are buttons and slash commands; on Zalo people type. So every command has a
word ('báo cáo'), its menu label works as well ('Báo cáo tiến độ'), and so do a few synonyms
('đóng góp', 'ok'), in Vietnamese and in English, compared folded for case and diacritics
('BAO CAO'). A word may be followed by a reference ('nhận 8', 'báo cáo 8'), as the commands
take it. Texts never spell a slash command: they name it with `command_word`, which gives
/menu where the chat has buttons and “menu” where people type.
"""

from __future__ import annotations

from functools import lru_cache

from handlers.i18n import N_, SUPPORTED, Translator
from handlers.matching import normalize
from handlers.registry import commands_for

QUOTES = "\"'“”‘’«»"
"""Quotes people copy along with a word the bot quoted ('Gửi “menu”')."""

CANCEL = "huy"
"""Cancelling is the engine's own command, open to everyone, not in the registry."""

SPOKEN: dict[str, str] = {
    "menu": N_("menu"),
    CANCEL: N_("cancel"),
    "help": N_("help"),
    "ack": N_("received"),
    "baocao": N_("report"),
    "quy": N_("fund"),
    "ngonngu": N_("language"),
    "lienket": N_("link"),
    "congvan": N_("directive"),
    "thongbao": N_("announce"),
    "tinhhinh": N_("status"),
    "quytonghop": N_("fund totals"),
    "huybienlai": N_("reverse receipt"),
    "bienlai": N_("receipts"),
    "moi": N_("invite"),
    "mamoi": N_("codes"),
    "donvi": N_("units"),
    # Not 'trả lời': the numbered chats are told 'trả lời 1 …' (reply 1) everywhere.
    "traloi": N_("respond"),
    "daxuly": N_("resolved"),
    "toanvan": N_("full text"),

    "xuat": N_("export"),
}
"""The word that names each command where people type (in Vietnamese 'báo cáo', 'nhận').
/start has none: on Zalo a person joins by sending the code alone."""

SYNONYMS: dict[str, tuple[str, ...]] = {
    "ack": ("đã nhận", "ok"),
    "quy": ("đóng góp", "quỹ khuyến học"),
    "help": ("giúp",),
}
"""Other ways people say it, beyond the word and the menu label in each language."""

ANSWERS = frozenset({"ack", "daxuly"})
"""Commands whose bare words are everyday answers ('ok', 'nhận'): in a dialog they stay the
answer (a donor may be called Ok; 'ok' at a confirmation means yes), with a reference
('nhận 8') they are the command everywhere."""

MAX_WORDS = 12
"""Longer texts are answers or notes, never a command (the longest label has 7 words, and a
command takes at most two numbers): they are not looked up at all."""


@lru_cache(maxsize=16)
def word_table(role: str) -> dict[str, str]:
    """Map every folded word, label and synonym this role may use to its command's name.

    Built once per role: the commands and their labels are fixed once the features loaded.
    """
    names = [c.name for c in commands_for(role) if c.name in SPOKEN] + [CANCEL]
    labels = {c.name: c.menu_label for c in commands_for(role) if c.menu_label}
    table: dict[str, str] = {}
    for locale in SUPPORTED:
        _ = Translator(locale)
        for name in names:
            phrases = [_(SPOKEN[name]), *SYNONYMS.get(name, ())]
            if name in labels:
                phrases.append(_(labels[name]))
            table.update((normalize(phrase), name) for phrase in phrases)
    return table


def command_for(text: str, role: str, *, in_dialog: bool) -> str:
    """Return the command a typed text means ('/baocao 8' for 'Báo cáo 8'), or '' for none.

    `in_dialog`: a dialog waits for an answer, and the text was none of its choices.
    """
    tokens = normalize(text.strip().strip(QUOTES)).split()
    if len(tokens) > MAX_WORDS:
        return ""
    table = word_table(role)
    # The longest phrase wins: 'hủy biên lai' is not 'hủy' with something after it.
    for cut in range(len(tokens), 0, -1):
        name = table.get(" ".join(tokens[:cut]))
        args = tokens[cut:]
        if name and all(arg.isascii() and arg.isdigit() for arg in args):
            break
    else:
        return ""
    if in_dialog and not args and name in ANSWERS:
        return ""
    return " ".join([f"/{name}", *args])


def spoken(_: Translator, command: str) -> str:
    """Name a command with its arguments as people type it: '/ack 8' is 'nhận 8' in Vietnamese."""
    name, _space, args = command.removeprefix("/").partition(" ")
    word = _(SPOKEN[name]) if name in SPOKEN else name
    return f"{word} {args}".strip()


def command_word(_: Translator, name: str, args: object = "") -> str:
    """Name a command in a sentence as the reader's chat takes it: /baocao 8 on Telegram,
    “báo cáo 8” on Zalo (quoted, so 'Gửi “báo cáo”' reads as what to type)."""
    command = f"/{name} {args}".strip()
    return command if _.buttons else f"“{spoken(_, command)}”"
