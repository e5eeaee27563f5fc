"""The window lock is owned by its leader: the trailing edge of a burst is never lost.

A leader ends each window in one atomic step (``end_window``): it renews the lock it holds
if the group changed meanwhile, and releases it otherwise. It never waits for its own lock to
expire, which Redis (whole milliseconds) may do up to a millisecond late: a leader that then
tried to take the lock again failed, and the burst's last state never reached the sockets.
"""

import json
import os
import threading
import time

import pytest

from live import broadcast
from live.broadcast import Broadcaster, LocalStore, RedisStore


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.redis)])
def store(request):
    if request.param == "local":
        yield LocalStore()
        return
    request.getfixturevalue("db")  # the Redis keys carry the database's name
    redis_store = RedisStore(os.environ["REDIS_URL"])
    redis_store.reset()
    yield redis_store
    redis_store.reset()


def _owner(store, group):
    if isinstance(store, LocalStore):
        return store._locks.get(group, (0.0, None))[1]
    value = store.redis.get(store._key("lock", group))
    return value.decode() if value is not None else None


def test_a_leader_renews_its_own_lock_before_it_expires_when_the_group_changed(store):
    token = store.mark_many({"g": 5000})["g"]
    assert store.end_window("g", token, 150)  # the mark left the group dirty
    assert _owner(store, "g") == token
    if isinstance(store, RedisStore):
        assert 0 < store.redis.pttl(store._key("lock", "g")) <= 150


def test_a_leader_releases_its_lock_when_nothing_changed_so_the_next_mark_leads_at_once(store):
    token = store.mark_many({"g": 5000})["g"]
    assert store.take_dirty("g")
    assert not store.end_window("g", token, 150)
    assert _owner(store, "g") is None
    assert list(store.mark_many({"g": 5000})) == ["g"]  # not left waiting for the expiry


def test_a_leader_never_takes_or_releases_another_leaders_lock(store):
    other = store.mark_many({"g": 5000})["g"]
    assert not store.end_window("g", "not-the-owner", 150)  # dirty, but another leads
    assert store.take_dirty("g")
    assert not store.end_window("g", "not-the-owner", 150)  # clean: not ours to release
    assert _owner(store, "g") == other
    assert store.mark_many({"g": 5000}) == {}


class LateLocks(LocalStore):
    """A store whose locks expire late, as Redis' may (exaggerated: 40 ms instead of 1)."""

    def _lock(self, group, window_ms, token):
        return super()._lock(group, window_ms + 40, token)


def _hub(store, builder):
    hub = Broadcaster(store, window_ms=50, layer_alias="live")
    hub._has_audience = lambda: True
    hub._watched = lambda group: True
    sent = []

    async def record(group, event):
        sent.append(json.loads(event["text"]))

    hub._group_send = record
    broadcast.register_snapshot_builder("window-test", lambda pk: (builder(), 0.0))
    return hub, sent


def _state(sent):
    state = {}
    for message in sent:
        state.update(message["data"])
    return state


def test_the_last_state_of_a_burst_is_sent_even_when_the_lock_expires_late():
    count = [0]
    hub, sent = _hub(LateLocks(), lambda: {"count": count[0]})
    try:
        for _ in range(4):  # bursts of changes, each followed by a pause
            for _ in range(10):
                count[0] += 1
                hub.mark_dirty("window-test", 1)
                time.sleep(0.012)
            time.sleep(0.3)
            assert hub.drain()
            assert _state(sent) == {"count": count[0]}, sent[-3:]
    finally:
        hub.close()
        broadcast._builders.pop("window-test", None)


def test_a_snapshot_that_could_not_be_built_is_tried_again_without_another_change(caplog):
    failures = [2]
    lock = threading.Lock()

    def build():
        with lock:
            if failures[0]:
                failures[0] -= 1
                raise RuntimeError("database went away")
        return {"count": 1}

    hub, sent = _hub(LocalStore(), build)
    try:
        hub.mark_dirty("window-test", 1)
        deadline = time.monotonic() + 3
        while not sent and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _state(sent) == {"count": 1}
        assert caplog.text.count("could not publish") == 2
    finally:
        hub.close()
        broadcast._builders.pop("window-test", None)
