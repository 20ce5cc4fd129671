"""Donors who are not to be named in public: a donor who gives no name ('Ẩn danh'), or one
whose name the office keeps in its ledger but leaves out of what is posted for the village.

In a /quy dialog's data, `anonymous` marks the first (the donor's name is then ANONYMOUS_DONOR)
and `hide_name` the second; either records the contribution as anonymous.
"""

from __future__ import annotations

from typing import Any

from handlers.i18n import N_, Translator
from handlers.messages import Choice
from storage.ledger import ANONYMOUS_DONOR
from storage.text import fold_name

ANONYMOUS = N_("Anonymous")
ANONYMOUS_WORDS = frozenset({fold_name(ANONYMOUS_DONOR), "anonymous"})
"""What a typed name may be to mean 'no name' ('ẩn danh', 'an danh'), compared folded."""


def means_anonymous(text: str) -> bool:
    """Tell whether a typed donor name asks for no name at all ('Ẩn danh', 'an danh')."""
    return fold_name(text) in ANONYMOUS_WORDS


def name_choices(_: Translator) -> list[Choice]:
    """The choice offered with the donor-name question."""
    return [("anonymous", _(ANONYMOUS))]


def take_name(data: dict[str, Any], name: str | None) -> None:
    """Keep the donor's typed name, or None for a donor who gives no name."""
    if name is None:
        data.update(donor_name=ANONYMOUS_DONOR, anonymous=True)
        data.pop("hide_name", None)
    else:
        data["donor_name"] = name
        data.pop("anonymous", None)


def recorded_anonymous(data: dict[str, Any]) -> bool:
    """Tell whether the contribution is to be recorded as not named in public."""
    return bool(data.get("anonymous") or data.get("hide_name"))


def donor_shown(_: Translator, data: dict[str, Any]) -> str:
    """Name the donor to the person recording: 'Ẩn danh', or the name and that it stays
    out of public lists."""
    if data.get("anonymous"):
        return _(ANONYMOUS)
    name = str(data.get("donor_name", ""))
    if data.get("hide_name"):
        return _("{name} (name not made public)").format(name=name)
    return name


def privacy_choices(_: Translator, data: dict[str, Any]) -> list[Choice]:
    """The summary's choice to keep a named donor out of public lists, or to undo that."""
    if data.get("anonymous"):
        return []
    if data.get("hide_name"):
        return [("show_name", _("Make the name public"))]
    return [("hide_name", _("Do not make the name public"))]


def change_privacy(data: dict[str, Any], choice: str) -> bool:
    """Apply a summary's privacy choice; False when `choice` is none of them."""
    if choice == "hide_name":
        data["hide_name"] = True
    elif choice == "show_name":
        data.pop("hide_name", None)
    else:
        return False
    return True
