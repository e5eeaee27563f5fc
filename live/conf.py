"""Settings of the shared live layer, with their defaults. Override any in the Django settings.

They keep the ``PB_LIVE_`` names they had when only participatory-budgeting sessions were live
(deployments set them already); meeting motions follow the same ones.
"""

from django.conf import settings

DEFAULTS = {
    # Coalescing window per live group: at most one message per window (150 ms = 6.7/s).
    # Under steady load a ballot waits for the end of the window it falls in, so the window
    # is most of the p95 from cast to every screen: 200 ms (5/s) left 60 ms for building,
    # fan-out and the viewers, and missed 250 ms at 200 ballots/s (decision 003, issue 14).
    "PB_LIVE_COALESCE_MS": 150,
    # A meeting's motions (the same window; its own setting, registered with the kind).
    "LIVE_MEETING_COALESCE_MS": 150,
    # Where the cross-process coalescer keeps its locks; empty: in this process only.
    "PB_LIVE_REDIS_URL": None,  # None: use REDIS_URL
    # The channel layer alias the live groups use.
    "PB_LIVE_CHANNEL_LAYER": "live",
    # Threads (per server process) that run live votes (PB tablets' casts, motion votes) with
    # long-lived database connections (live/fastpath.py); 0 runs a vote in its request's own
    # thread. More is not faster: measured with 1,000 viewers, 8 threads starved the live
    # updates of the GIL (decision 003).
    "PB_LIVE_CAST_THREADS": 4,
    "PB_LIVE_POOL_CONN_MAX_AGE": 300,  # seconds a vote-pool thread keeps its connection
}


def setting(name: str, defaults: dict = DEFAULTS):
    value = getattr(settings, name, defaults[name])
    if name == "PB_LIVE_REDIS_URL" and value is None:
        return getattr(settings, "REDIS_URL", "") or ""
    return value


def live_setting(name: str):
    return setting(name)
