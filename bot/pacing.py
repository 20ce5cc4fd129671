"""Pacing for the outbox sender: rates, per-chat spacing, back-off, and telling floods apart.

Times here are plain seconds on the sender's clock (its `clock().timestamp()`), so tests drive
every rule with a fake clock.
"""

from __future__ import annotations

import contextlib
import random
from collections import deque
from dataclasses import dataclass

CHAT_KEEP = 2048
"""Past this many remembered chats, those whose spacing has run out are forgotten."""


@dataclass(frozen=True)
class Pace:
    """How fast one channel may send: `rate` messages/s overall, `chat_rate` to one chat."""

    rate: float
    chat_rate: float = 1.0

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.chat_rate <= 0:
            raise ValueError("send rates must be positive")

    @property
    def batch(self) -> int:
        """Rows to hold claimed at once: about one second of sending, at least a few."""
        return max(4, min(500, round(self.rate)))


class TokenBucket:
    """At most `rate` sends per second: a token bucket, with a one-second window as backstop.

    The bucket spaces sends evenly, with a small allowance (`capacity`) so that timer overshoot
    and short stalls are made up; it starts with one token so a start never bursts. Making up
    a stall must not put more than `rate` sends into any one second, which is how APIs count,
    so the window also holds back any send that would. The window is a second plus `margin`
    (10 ms), for the jitter between leaving here and arriving there: sends then come at most
    at rate/1.01 in the long run, and an API counting at exactly `rate` is not overrun.
    """

    def __init__(self, rate: float, capacity: float | None = None, margin: float = 0.01) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(2.0, rate / 20)
        self.span = 1.0 + margin
        self._most = max(1, int(rate))
        self._recent: deque[float] = deque()
        self._tokens = 1.0
        self._stamp: float | None = None

    def wait(self, now: float) -> float:
        """Seconds until a send may start (0 when it may start now)."""
        self._refill(now)
        while self._recent and self._recent[0] <= now - self.span:
            self._recent.popleft()
        window = self._recent[0] + self.span - now if len(self._recent) >= self._most else 0.0
        # Clocks tick in microseconds: a shortfall below that would never be made up.
        missing = 1.0 - self._tokens
        bucket = 0.0 if missing * 1_000_000 < self.rate else missing / self.rate
        return max(bucket, window)

    def take(self, now: float, count: float = 1.0) -> None:
        """Spend `count` sends; the balance may go below zero, delaying the next ones."""
        self._refill(now)
        self._tokens -= count
        self._recent.extend([now] * max(1, round(count)))

    def refund(self, started: float) -> None:
        """Give back the send that started at `started`: the API refused it (429), so it did
        not count against the API's limit and must not against ours."""
        self._tokens = min(self.capacity, self._tokens + 1.0)
        with contextlib.suppress(ValueError):
            self._recent.remove(started)

    def _refill(self, now: float) -> None:
        if self._stamp is not None and now > self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        if self._stamp is None or now > self._stamp:
            self._stamp = now


class ChatGate:
    """One send at a time per chat, successive sends at least 1/chat_rate seconds apart."""

    def __init__(self, chat_rate: float) -> None:
        self.interval = 1.0 / chat_rate
        self._next: dict[str, float] = {}
        self._busy: dict[str, float] = {}

    def ready_at(self, chat_id: str) -> float | None:
        """When the chat may get its next send; None while a send to it is in flight."""
        if chat_id in self._busy:
            return None
        return self._next.get(chat_id, 0.0)

    def start(self, chat_id: str, now: float) -> None:
        """A send to the chat begins."""
        self._busy[chat_id] = now
        self._next[chat_id] = max(self._next.get(chat_id, 0.0), now + self.interval)

    def finish(self, chat_id: str, parts: int, hold_until: float | None = None) -> None:
        """The send is over: `parts` messages reached the chat; nothing more before `hold_until`."""
        started = self._busy.pop(chat_id, 0.0)
        after = started + max(1, parts) * self.interval
        self._next[chat_id] = max(self._next.get(chat_id, 0.0), after, hold_until or 0.0)

    @property
    def busy(self) -> set[str]:
        """Chats with a send in flight."""
        return set(self._busy)

    def forget_past(self, now: float) -> None:
        """Drop spacing that has run out, so memory stays bounded by recent chats."""
        if len(self._next) > CHAT_KEEP:
            self._next = {chat: at for chat, at in self._next.items() if at > now}


class FloodWatch:
    """Tells a 429 about one chat from the whole bot being over its limit.

    The channel should pause when, among the sends that finished in the last `window` seconds,
    at least `least` finished and a share of `share` or more were refused (429 or, likewise, a
    server error), or when the last `streak` sends in a row all were. Sends that started before
    the last pause do not count: they were already on their way.
    """

    def __init__(
        self, window: float = 1.0, share: float = 0.2, least: int = 10, streak: int = 5
    ) -> None:
        self.window, self.share, self.least, self.streak = window, share, least, streak
        self._seen: deque[tuple[float, bool]] = deque()
        self._run = 0
        self._since = float("-inf")

    def observe(self, started: float, finished: float, refused: bool) -> bool:
        """Count one finished send; True when the channel as a whole should pause now."""
        if started < self._since:
            return False
        self._seen.append((finished, refused))
        while self._seen and self._seen[0][0] <= finished - self.window:
            self._seen.popleft()
        self._run = self._run + 1 if refused else 0
        refusals = sum(1 for _at, bad in self._seen if bad)
        by_share = len(self._seen) >= self.least and refusals >= self.share * len(self._seen)
        return refused and (by_share or self._run >= self.streak)

    def paused(self, now: float) -> None:
        """A pause begins: forget what was seen and ignore sends already on their way."""
        self._seen.clear()
        self._run = 0
        self._since = now


def backoff(attempt: int, rng: random.Random, first: float = 2.0, cap: float = 600.0) -> float:
    """Seconds before try `attempt + 1`: doubling from `first` up to `cap`, half of it jittered.

    The jitter spreads retries of many rows that failed together (a server outage) over time.
    """
    ceiling = min(cap, first * 2 ** max(0, attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
