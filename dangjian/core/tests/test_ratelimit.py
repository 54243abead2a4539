import threading
from unittest import mock

import pytest
from django.core.cache import cache

from dangjian.core import ratelimit

WINDOW = 900
START = 1_700_000_100.0  # a multiple of 900 seconds since the epoch


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """A clock the test moves: `clock.now` seconds since the epoch."""

    class Clock:
        now = START + 60  # one minute into a window

    monkeypatch.setattr(ratelimit, "_now", lambda: Clock.now)
    cache.clear()
    return Clock


def test_hits_up_to_the_limit_are_allowed():
    assert [ratelimit.hit("ip:1", 3, WINDOW) for _ in range(3)] == [None, None, None]


def test_hit_over_the_limit_answers_seconds_until_the_window_ends():
    for _ in range(3):
        ratelimit.hit("ip:1", 3, WINDOW)
    assert ratelimit.hit("ip:1", 3, WINDOW) == WINDOW - 60
    assert ratelimit.hit("ip:1", 3, WINDOW) == WINDOW - 60


def test_retry_after_rounds_partial_seconds_up(clock):
    clock.now = START + WINDOW - 0.2
    ratelimit.hit("ip:1", 0, WINDOW)
    assert ratelimit.hit("ip:1", 0, WINDOW) == 1


def test_next_window_starts_counting_afresh(clock):
    for _ in range(4):
        ratelimit.hit("ip:1", 3, WINDOW)
    clock.now = START + WINDOW  # the next window
    assert ratelimit.hit("ip:1", 3, WINDOW) is None
    assert ratelimit.retry_after("ip:1", 3, WINDOW) is None


def test_keys_are_counted_separately():
    for _ in range(3):
        ratelimit.hit("ip:1", 3, WINDOW)
    assert ratelimit.hit("ip:2", 3, WINDOW) is None
    assert ratelimit.hit("ip:1", 3, WINDOW) is not None


def test_same_key_with_another_window_is_another_limit():
    for _ in range(3):
        ratelimit.hit("ip:1", 3, WINDOW)
    assert ratelimit.hit("ip:1", 3, 60) is None


def test_retry_after_peeks_without_counting():
    for _ in range(10):
        assert ratelimit.retry_after("ip:1", 3, WINDOW) is None
    for _ in range(3):
        ratelimit.hit("ip:1", 3, WINDOW)
    assert ratelimit.retry_after("ip:1", 3, WINDOW) == WINDOW - 60


def test_keys_with_spaces_colons_and_chinese_are_accepted():
    key = "intake: 2001:db8::1 和风社区 " + "x" * 300
    assert ratelimit.hit(key, 1, WINDOW) is None
    assert ratelimit.hit(key, 1, WINDOW) is not None


def test_a_counter_that_expired_between_add_and_incr_starts_at_one():
    with mock.patch.object(cache, "incr", side_effect=ValueError("Key not found")):
        assert ratelimit.hit("ip:1", 1, WINDOW) is None
    assert ratelimit.hit("ip:1", 1, WINDOW) is not None


def test_concurrent_hits_are_all_counted():
    barrier = threading.Barrier(8)
    refused = []

    def hammer():
        barrier.wait()
        refused.extend(r for _ in range(25) if (r := ratelimit.hit("ip:1", 150, WINDOW)))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(refused) == 8 * 25 - 150
