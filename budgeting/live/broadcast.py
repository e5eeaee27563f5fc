"""The live groups of participatory-budgeting sessions, on the shared live layer.

The broadcaster itself (coalescing, Redis window locks, sequences, last snapshots) is
``live/broadcast.py``; this module names PB's kinds of group (a process's public page, a
session's dashboard) and the per-tablet kiosk groups, and re-exports what PB's services,
consumers and tests call, so they keep writing ``broadcast.mark_dirty(broadcast.PROCESS, pk)``.
"""

from live.broadcast import (  # noqa: F401 - PB's callers use these through this module
    Broadcaster,
    LocalStore,
    RedisStore,
    build_snapshot,
    dumps,
    get_broadcaster,
    group_name,
    last_snapshot,
    mark_dirty,
    notify,
    pubsub_prefix,
    register_snapshot_builder,
    reset,
    snapshot_data,
    store_snapshot,
)

PROCESS = "process"
SESSION = "session"


def tablet_group(pk: int) -> str:
    return f"live.tablet.{pk}"


def kiosks_group(session_pk: int) -> str:
    """Every kiosk of a session: told when the session opens, pauses or closes."""
    return f"live.kiosks.{session_pk}"


def kiosks_refresh(*, tablet_ids=(), session_ids=()) -> None:
    groups = [tablet_group(t) for t in tablet_ids] + [kiosks_group(s) for s in session_ids]
    notify(groups, "kiosk.refresh")


def kiosk_revoked(tablet_id: int) -> None:
    notify([tablet_group(tablet_id)], "kiosk.revoked")
