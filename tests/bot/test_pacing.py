"""Pacing rules on their own: token bucket, per-chat gate, flood detection, back-off."""

from __future__ import annotations

import random

import pytest

from bot.pacing import ChatGate, FloodWatch, Pace, TokenBucket, backoff


def test_the_bucket_lets_one_send_through_then_one_every_1_over_rate_seconds():
    """At 10/s: the first send goes at once, the next after 0.1 s, not before."""
    bucket = TokenBucket(10)
    assert bucket.wait(100.0) == 0
    bucket.take(100.0)
    assert bucket.wait(100.0) == pytest.approx(0.1)
    assert bucket.wait(100.05) == pytest.approx(0.05)
    assert bucket.wait(100.1) == 0


def test_the_bucket_catches_up_a_short_stall_but_never_bursts_a_whole_second():
    """After a long idle spell only `capacity` sends may go at once (2 at 25/s)."""
    bucket = TokenBucket(25)
    bucket.take(0.0)
    sent_at_once = 0
    while bucket.wait(60.0) == 0:
        bucket.take(60.0)
        sent_at_once += 1
    assert sent_at_once == 2


def test_a_three_part_message_costs_three_sends():
    """Parts beyond the first are paid for afterwards: the next send waits 0.3 s at 10/s."""
    bucket = TokenBucket(10)
    bucket.take(0.0)
    bucket.take(0.0, 2)
    assert bucket.wait(0.0) == pytest.approx(0.3)


def test_the_gate_spaces_a_chat_and_holds_it_while_in_flight():
    """A chat is busy while a send is in flight, then free again 1/chat_rate after it began."""
    gate = ChatGate(chat_rate=1)
    assert gate.ready_at("an") == 0
    gate.start("an", 10.0)
    assert gate.ready_at("an") is None
    assert gate.busy == {"an"}
    gate.finish("an", parts=1)
    assert gate.ready_at("an") == 11.0
    gate.start("an", 11.0)
    gate.finish("an", parts=1, hold_until=40.0)
    assert gate.ready_at("an") == 40.0


def test_random_2_percent_429s_never_look_like_a_flood():
    """10,000 sends at 200/s with 2% scattered 429s: the watch never calls for a pause."""
    watch, rng = FloodWatch(), random.Random(20260320)
    pauses = sum(
        watch.observe(i / 200, i / 200 + 0.005, rng.random() < 0.02) for i in range(10_000)
    )
    assert pauses == 0


def test_most_sends_refused_is_a_flood_even_among_successes():
    """When a quarter of the last second's sends were refused, the channel pauses."""
    watch = FloodWatch()
    verdicts = [watch.observe(i / 100, i / 100, i % 4 == 0) for i in range(40)]
    assert any(verdicts)
    assert not any(verdicts[:10])


def test_at_low_traffic_five_refusals_in_a_row_are_a_flood():
    """Three sends a second, all refused: the fifth one calls for a pause."""
    watch = FloodWatch()
    verdicts = [watch.observe(i / 3, i / 3, True) for i in range(5)]
    assert verdicts == [False, False, False, False, True]


def test_sends_already_on_their_way_when_the_pause_began_do_not_count():
    """After a pause, refusals of sends started before it cannot start another at once."""
    watch = FloodWatch()
    for i in range(5):
        watch.observe(float(i), float(i), True)
    watch.paused(5.0)
    assert not any(watch.observe(4.5, 5.1 + i, True) for i in range(10))
    assert [watch.observe(6.0 + i, 6.0 + i, True) for i in range(5)][-1]


def test_backoff_doubles_with_jitter_up_to_the_cap():
    """Tries wait 1-2 s, 2-4 s, 4-8 s … and never more than the cap of 600 s."""
    rng = random.Random(1)
    for attempt, (low, high) in enumerate([(1, 2), (2, 4), (4, 8), (8, 16)], start=1):
        assert low <= backoff(attempt, rng) <= high
    assert 300 <= backoff(40, rng) <= 600
    assert backoff(3, random.Random(5)) == backoff(3, random.Random(5))


def test_a_pace_claims_about_one_second_of_sending():
    """The batch is one second at the rate, at least 4 and at most 500 rows."""
    assert [Pace(rate).batch for rate in (1, 25, 200, 5000)] == [4, 25, 200, 500]
    with pytest.raises(ValueError):
        Pace(0)


def test_a_refused_send_gives_its_place_in_the_pace_back():
    """A 429 did not count against the API's limit: the next send may go at once."""
    bucket = TokenBucket(10)
    bucket.take(5.0)
    assert bucket.wait(5.0) > 0
    bucket.refund(5.0)
    assert bucket.wait(5.0) == 0


def test_catching_up_never_puts_more_than_rate_sends_in_one_second():
    """With 4 tokens saved up at 2/s, a burst is still held to 2 sends in any one second."""
    bucket = TokenBucket(2, capacity=4)
    bucket.wait(0.0)
    starts = []
    now = 10.0
    while len(starts) < 6:
        wait = bucket.wait(now)
        if wait:
            now += wait
            continue
        bucket.take(now)
        starts.append(now)
    assert all(later - earlier >= 1.0 for earlier, later in zip(starts, starts[2:], strict=False))
