"""Refresh locales/vi/LC_MESSAGES/messages.po from the source strings.

Extracts every `_("…")`, `ctx._("…")` and `N_("…")` from handlers/ and bot/, keeps the
translations already there, drops strings no longer used, and lists what is still
untranslated (then translate those entries in messages.po by hand).

`python scripts/catalog.py FRAGMENT.po …` also takes translations from PO fragments, for
strings written on a branch or by someone without the catalog at hand.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locales" / "vi" / "LC_MESSAGES" / "messages.po"
CREATED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def extract(pot: Path = ROOT / "locales" / "messages.pot") -> Catalog:
    """Write the template of every source string to `pot` and return it."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "N_",
            "--no-location",
            "--omit-header",
            "--sort-output",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        return read_po(handle)


def main() -> int:
    """Update the Vietnamese catalog and report entries still missing."""
    template = extract()
    known: dict[str, str] = {}
    for source in [PO, *(Path(arg) for arg in sys.argv[1:])]:
        if not source.exists():
            continue
        with source.open("rb") as handle:
            for message in read_po(handle, locale="vi"):
                if message.id and message.string and not message.fuzzy:
                    known.setdefault(str(message.id), str(message.string))
    # A fixed date: a header that changed on every run made every branch's catalog conflict.
    catalog = Catalog(
        locale="vi", project="hoctap", charset="utf-8", fuzzy=False, creation_date=CREATED
    )
    missing = []
    for message in template:
        if not message.id:
            continue
        catalog.add(message.id, known.get(str(message.id), ""))
        if str(message.id) not in known:
            missing.append(str(message.id))
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True)
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    print(f"{len(catalog)} strings, {len(missing)} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
