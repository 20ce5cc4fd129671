"""Messages held through a database outage, kept on disk until stored.

Telegram keeps an unconfirmed update and sends it again; Zalo hands each message over once.
A message that arrives while the database is away is therefore written to a small file
(one JSON line each, flushed to disk) before the bot waits for the database, and crossed
out once stored. If the bot is stopped meanwhile, the next start stores what the file still
holds. Storing twice is harmless: the engine drops an event whose key it has seen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path

from handlers.messages import Inbound

log = logging.getLogger(__name__)


class HeldInbound:
    """An append-only file of messages waiting for the database, crossed out when stored."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def hold(self, inbound: Inbound) -> None:
        """Write a message to disk before waiting for the database."""
        line = json.dumps({"held": _as_dict(inbound)}, ensure_ascii=False)
        self._append(line)

    def release(self, inbound: Inbound) -> None:
        """Cross out a message that is stored now."""
        key = [inbound.channel, inbound.message_key]
        self._append(json.dumps({"stored": key}, ensure_ascii=False))

    def waiting(self) -> list[Inbound]:
        """Messages held and never crossed out, in the order they came."""
        if not self.path.exists():
            return []
        held: dict[tuple[str, str], Inbound] = {}
        with self._lock, self.path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                try:
                    entry = json.loads(line)
                    if "held" in entry:
                        inbound = _from_dict(entry["held"])
                        held[(inbound.channel, inbound.message_key)] = inbound
                    else:
                        held.pop(tuple(entry["stored"]), None)  # type: ignore[arg-type]
                except (ValueError, KeyError, TypeError):
                    # A line cut short by a crash mid-write: the lines before it still count.
                    log.warning("%s line %d is unreadable; skipped", self.path, number)
        return list(held.values())

    def clear_if_done(self) -> None:
        """Empty the file once every message in it is stored, so it never grows for long."""
        if self.path.exists() and not self.waiting():
            with self._lock:
                self.path.unlink(missing_ok=True)

    def _append(self, line: str) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
                file.flush()
                os.fsync(file.fileno())


def _as_dict(inbound: Inbound) -> dict[str, object]:
    values = dataclasses.asdict(inbound)
    values["at"] = inbound.at.isoformat()
    return values


def _from_dict(values: dict[str, object]) -> Inbound:
    known = {field.name for field in dataclasses.fields(Inbound)}
    kept = {name: value for name, value in values.items() if name in known}
    kept["at"] = dt.datetime.fromisoformat(str(values["at"]))
    return Inbound(**kept)  # type: ignore[arg-type]
