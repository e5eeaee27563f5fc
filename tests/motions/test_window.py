"""A meeting's groups coalesce on their own window (LIVE_MEETING_COALESCE_MS), PB sessions'
on PB_LIVE_COALESCE_MS; every store locks each group for its own window."""

import os

import pytest

from assemblies.motions import live as motions_live
from live import broadcast
from live.broadcast import Broadcaster, LocalStore, RedisStore


def test_meeting_groups_have_their_own_window_read_from_the_settings(settings):
    settings.LIVE_MEETING_COALESCE_MS = 150
    hub = Broadcaster(LocalStore(), window_ms=200, layer_alias="live")
    try:
        assert hub.window_for(motions_live.MEETING) == 150
        assert hub.window_for(motions_live.CHAIR) == 150
        assert hub.window_for("some-other-kind") == 200
        settings.LIVE_MEETING_COALESCE_MS = 90
        assert hub.window_for(motions_live.MEETING) == 90
    finally:
        hub.close()


def test_the_local_store_locks_each_group_for_its_own_window(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(broadcast.time, "monotonic", lambda: now[0])
    store = LocalStore()
    assert sorted(store.mark_many({"meeting": 150, "process": 200})) == ["meeting", "process"]
    now[0] = 100.16
    assert list(store.mark_many({"meeting": 150, "process": 200})) == ["meeting"]


@pytest.mark.redis
@pytest.mark.django_db
def test_the_redis_store_locks_each_group_for_its_own_window():
    store = RedisStore(os.environ["REDIS_URL"])
    store.reset()
    assert sorted(store.mark_many({"meeting": 150, "process": 5000})) == ["meeting", "process"]
    assert 0 < store.redis.pttl(store._key("lock", "meeting")) <= 150
    assert 150 < store.redis.pttl(store._key("lock", "process")) <= 5000
    store.reset()
