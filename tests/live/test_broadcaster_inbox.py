"""The broadcaster's inbox: the after-commit calls of one cast wake its loop once."""

import threading

from live.broadcast import Broadcaster, LocalStore, group_name


def test_the_calls_of_a_burst_wake_the_loop_once_and_all_are_done():
    marked = []

    class Store(LocalStore):
        def mark_many(self, windows):
            marked.append(sorted(windows))
            return super().mark_many(windows)

    hub = Broadcaster(Store(), window_ms=50, layer_alias="live")
    hub._has_audience = lambda: True
    hub._watched = lambda group: False  # no snapshot to build: the marks are what is tested
    sent = []

    async def send_all(groups, event):
        sent.append((groups, event))

    hub._send_all = send_all
    loop = hub._ensure_loop()
    wakes = []
    real = loop.call_soon_threadsafe

    def counting(callback, *args, **kwargs):
        if getattr(callback, "__name__", "") == "_take_inbox":  # not the executor's own calls
            wakes.append(callback.__name__)
        return real(callback, *args, **kwargs)

    loop.call_soon_threadsafe = counting
    busy, release = threading.Event(), threading.Event()
    real(lambda: (busy.set(), release.wait(5)))  # the loop is busy while the calls come
    try:
        assert busy.wait(5)
        hub.mark_dirty("process", 1)  # what a cast's commit hooks do
        hub.mark_dirty("session", 2)
        hub.notify(["live.tablet.3"], "kiosk.refresh")
        assert wakes == ["_take_inbox"]
        release.set()
        assert hub.drain()
        assert sent == [(["live.tablet.3"], {"type": "kiosk.refresh"})]
        assert marked == [sorted([group_name("process", 1), group_name("session", 2)])]
        hub.mark_dirty("process", 4)  # the inbox was taken: the next call wakes the loop
        assert wakes == ["_take_inbox", "_take_inbox"] and hub.drain()
    finally:
        release.set()
        hub.close()
