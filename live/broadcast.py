"""Live push: coalesced snapshots for every live group, bounded in rate across processes.

The shared live layer of PartnerCity: participatory-budgeting sessions (budgeting/live) and
meeting motions (assemblies/motions) both publish through it. Each app names its kinds of
group and registers, when it starts, what builds a kind's snapshot
(``register_snapshot_builder``).

Services never touch the channel layer. They register
``transaction.on_commit(lambda: broadcast.mark_dirty(KIND, pk))`` and this module does the
rest:

1. ``mark_dirty`` hands the group to this process's broadcaster thread (nothing blocks the
   request), which sets the group's *dirty* flag and tries to take the group's *window lock*
   (``SET NX PX <window>`` in Redis, so the lock is shared by every server process; a dict in
   this process when there is no Redis): one round trip for all the marks of a burst.
2. The process that takes the lock is the group's leader for that window. It clears the
   flag and, if any socket in any process listens to the group, builds the snapshot in a
   worker thread (a few aggregate queries, never work per ballot, never on the server's
   event loop) and publishes it once (leading edge).
3. When the window ends the leader looks at the flag again, in one atomic step with its lock
   (``end_window``): if anything happened meanwhile (in any process), it renews the lock it
   owns and publishes the new state (trailing edge). Otherwise it releases the lock and
   stops, and the next ``mark_dirty`` takes the lock and starts a new leading edge. The lock
   holds the leader's token: a leader never waits for its own lock to expire, which Redis,
   counting in whole milliseconds, may do up to a millisecond after the window has ended
   (a mark in that millisecond found the lock taken, and a leader that then failed to take
   it again lost the trailing edge).

So a group gets at most one message per window (150 ms: 6.7 a second) whatever the number of
ballots, and the last state is always sent. Each message carries a per-group sequence number
(``INCR`` in Redis, so it grows across processes) and is a ``delta`` against the previous
message (only the changed top-level keys) or a ``snapshot``. The last snapshot is kept in the
store, so a socket that connects or asks to resync gets the current state without a query.

Kiosks (one socket per tablet) are not coalesced: ``notify`` tells them to refresh and they
read their own state, which holds the tablet's ballot token and so never travels through Redis
or the store.
"""

import asyncio
import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections

from live.conf import live_setting
from live.fastpath import keep_pool_connections

logger = logging.getLogger(__name__)

KEY_PREFIX = "pb_live"
PUBLISH_RETRIES = 3  # a group whose snapshot could not be published is tried this many times
LAST_TTL = 24 * 3600


def group_name(kind: str, pk: int) -> str:
    return f"live.{kind}.{pk}"


def dumps(message: dict) -> str:
    return json.dumps(message, separators=(",", ":"), cls=DjangoJSONEncoder)


def _initial_seq() -> int:
    # Sequences start from the clock, so a store that lost its counters (a Redis restart)
    # still hands out numbers above the ones clients have seen.
    return int(time.time() * 1000)


# Stores -----------------------------------------------------------------------------------


def _token() -> str:
    """What a leader holds its group's window lock with (unique across processes)."""
    return secrets.token_hex(8)


# LocalStore.end_window in Redis: KEYS = dirty flag, lock; ARGV = leader's token, window (ms).
_END_WINDOW = """
local owner = redis.call('GET', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then
  if owner == false or owner == ARGV[1] then
    redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
    return 1
  end
  return 0
end
if owner == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 0
"""


class LocalStore:
    """Flags, locks, sequences and last snapshots for one process (no Redis configured)."""

    def __init__(self):
        self._mutex = threading.Lock()
        self._locks: dict[str, tuple[float, str]] = {}  # group: (expires, leader's token)
        self._dirty: set[str] = set()
        self._seq: dict[str, int] = {}
        self._last: dict[str, tuple[int, dict]] = {}

    def mark_many(self, windows: dict[str, int]) -> dict[str, str]:
        """Flag the groups dirty; return the groups whose window lock (``windows``: ms per
        group) this call took, each with the token its leader holds the lock with."""
        with self._mutex:
            self._dirty.update(windows)
            taken = {}
            for group, window_ms in windows.items():
                token = _token()
                if self._lock(group, window_ms, token):
                    taken[group] = token
            return taken

    def _lock(self, group: str, window_ms: int, token: str) -> bool:
        """Take the lock if it is free (or expired) or already ``token``'s."""
        now = time.monotonic()
        expires, owner = self._locks.get(group, (0.0, ""))
        if expires > now and owner != token:
            return False
        self._locks[group] = (now + window_ms / 1000, token)
        return True

    def end_window(self, group: str, token: str, window_ms: int) -> bool:
        """At the end of a leader's window, atomically: if the group is dirty, renew the
        leader's lock (unless another leader holds it) and say so; otherwise release it."""
        with self._mutex:
            if group in self._dirty:
                return self._lock(group, window_ms, token)
            if self._locks.get(group, (0.0, ""))[1] == token:
                del self._locks[group]
            return False

    def set_dirty(self, group: str) -> None:
        with self._mutex:
            self._dirty.add(group)

    def take_dirty(self, group: str) -> bool:
        with self._mutex:
            was = group in self._dirty
            self._dirty.discard(group)
            return was

    def is_dirty(self, group: str) -> bool:
        with self._mutex:
            return group in self._dirty

    def next_seq(self, group: str) -> int:
        with self._mutex:
            self._seq[group] = max(self._seq.get(group, 0) + 1, _initial_seq())
            return self._seq[group]

    def current_seq(self, group: str) -> int:
        with self._mutex:
            return self._seq.get(group, 0)

    def last(self, group: str) -> tuple[int, dict] | None:
        with self._mutex:
            return self._last.get(group)

    def save_last(self, group: str, seq: int, data: dict) -> None:
        with self._mutex:
            self._last[group] = (seq, data)

    def forget(self, group: str) -> None:
        with self._mutex:
            self._last.pop(group, None)

    def reset(self) -> None:
        with self._mutex:
            self._locks.clear()
            self._dirty.clear()
            self._seq.clear()
            self._last.clear()


class RedisStore:
    """The same, shared by every server process through Redis (sub-second TTLs need PX).

    Keys carry the database's name: two sites (or a test run and a benchmark) sharing a Redis
    never read each other's sequences or snapshots.
    """

    def __init__(self, url: str):
        import redis
        from django.db import connection

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._end_window = self.redis.register_script(_END_WINDOW)
        database = str(connection.settings_dict.get("NAME") or "")
        self.prefix = f"{KEY_PREFIX}:{hashlib.sha256(database.encode()).hexdigest()[:8]}"

    def _key(self, kind: str, group: str) -> str:
        return f"{self.prefix}:{kind}:{group}"

    def mark_many(self, windows: dict[str, int]) -> dict[str, str]:
        pipe = self.redis.pipeline(transaction=False)
        tokens = {group: _token() for group in windows}
        for group, window_ms in windows.items():
            pipe.set(self._key("dirty", group), 1, ex=60)
            pipe.set(self._key("lock", group), tokens[group], nx=True, px=window_ms)
        replies = pipe.execute()
        return {g: tokens[g] for g, locked in zip(windows, replies[1::2], strict=True) if locked}

    def end_window(self, group: str, token: str, window_ms: int) -> bool:
        keys = [self._key("dirty", group), self._key("lock", group)]
        return bool(self._end_window(keys=keys, args=[token, int(window_ms)]))

    def set_dirty(self, group: str) -> None:
        self.redis.set(self._key("dirty", group), 1, ex=60)

    def take_dirty(self, group: str) -> bool:
        return bool(self.redis.delete(self._key("dirty", group)))

    def is_dirty(self, group: str) -> bool:
        return bool(self.redis.exists(self._key("dirty", group)))

    def next_seq(self, group: str) -> int:
        pipe = self.redis.pipeline(transaction=False)
        pipe.set(self._key("seq", group), _initial_seq(), nx=True, ex=LAST_TTL)
        pipe.incr(self._key("seq", group))
        pipe.expire(self._key("seq", group), LAST_TTL)
        return int(pipe.execute()[1])

    def current_seq(self, group: str) -> int:
        return int(self.redis.get(self._key("seq", group)) or 0)

    def last(self, group: str) -> tuple[int, dict] | None:
        raw = self.redis.get(self._key("last", group))
        if raw is None:
            return None
        stored = json.loads(raw)
        return stored["seq"], stored["data"]

    def save_last(self, group: str, seq: int, data: dict) -> None:
        self.redis.set(self._key("last", group), dumps({"seq": seq, "data": data}), ex=LAST_TTL)

    def forget(self, group: str) -> None:
        self.redis.delete(self._key("last", group))

    def reset(self) -> None:
        keys = list(self.redis.scan_iter(match=f"{self.prefix}:*", count=500))
        if keys:
            self.redis.delete(*keys)


# The broadcaster ----------------------------------------------------------------------------


# What builds each kind's snapshot: registered when an app starts (its ``AppConfig.ready``),
# so this module never imports the selectors that read the database.
_builders: dict[str, Callable[[int], tuple[dict, float]]] = {}
_windows: dict[str, Callable[[], int]] = {}


def register_snapshot_builder(
    kind: str,
    builder: Callable[[int], tuple[dict, float]],
    *,
    window_ms: Callable[[], int] | None = None,
) -> None:
    """``builder(pk)`` returns (data, seconds until a part held back is due). ``window_ms()``,
    when given, is the kind's own coalescing window (read at each use, so settings apply);
    otherwise the broadcaster's (PB_LIVE_COALESCE_MS)."""
    _builders[kind] = builder
    if window_ms is not None:
        _windows[kind] = window_ms
    else:
        _windows.pop(kind, None)


def snapshot_data(kind: str, pk: int) -> tuple[dict, float]:
    """(JSON-ready data, seconds until a part held back is due), in the caller's thread."""
    try:
        builder = _builders[kind]
    except KeyError:
        raise LookupError(f"no live snapshot builder registered for {kind!r}") from None
    data, due_in = builder(pk)
    return json.loads(dumps(data)), due_in


def build_snapshot(kind: str, pk: int) -> tuple[dict, float]:
    """The same in a broadcaster worker thread, which owns its database connection.

    The worker threads live as long as the server, like the vote pool's, so they keep their
    connections as it does (PB_LIVE_POOL_CONN_MAX_AGE) instead of opening one per snapshot
    (CONN_MAX_AGE is 0 under ASGI): up to 7 snapshots a second per watched group, each of which
    paid for a new PostgreSQL backend.
    """
    close_old_connections()
    try:
        return snapshot_data(kind, pk)
    finally:
        keep_pool_connections()
        close_old_connections()


class Broadcaster:
    """One per server process: a daemon thread with its own event loop sends the messages;
    snapshots are built by a small thread pool so they never block a server's event loop."""

    def __init__(self, store, *, window_ms: int, layer_alias: str):
        self.store = store
        self.window_ms = int(window_ms)
        self.layer_alias = layer_alias
        self.consumer_loop: asyncio.AbstractEventLoop | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._start = threading.Lock()
        self._tasks: set = set()  # leaders running in the broadcaster loop
        self._marks: dict[str, tuple[str, int]] = {}
        self._marks_scheduled = False
        self._batch_calls = 0
        self._queued = 0
        self._queued_lock = threading.Lock()
        self._inbox: list[tuple] = []  # marks and notices from other threads, not yet taken
        self._woken = False  # the loop has been asked to take the inbox
        self._executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pb-live-snapshot")
        self._pubsub_prefix = pubsub_prefix(layer_alias)

    # Public -------------------------------------------------------------------------------

    def mark_dirty(self, kind: str, pk: int) -> None:
        """Non-blocking: the flag and the lock are set by the broadcaster's thread, which
        batches the marks of a burst into one Redis round trip."""
        group = group_name(kind, pk)
        if not self._has_audience():
            self.store.forget(group)  # nobody listens: the next socket builds a fresh snapshot
            return
        self._post(("mark", kind, pk, group))

    def _post(self, item: tuple) -> None:
        """Hand ``item`` to the broadcaster's loop. A cast's after-commit calls (its process,
        its session, its tablet's kiosk) wake the loop once: a wake-up is a write to the
        loop's self-pipe and a switch of the GIL to its thread, which the calls that follow
        before the loop runs need not pay again."""
        with self._queued_lock:
            self._queued += 1
            self._inbox.append(item)
            loop = self._loop
            dead = loop is None or loop.is_closed()  # a wake-up asked of a loop now gone
            wake, self._woken = not self._woken or dead, True
        if wake:
            self._ensure_loop().call_soon_threadsafe(self._take_inbox)

    def _take_inbox(self) -> None:
        with self._queued_lock:
            items, self._inbox, self._woken = self._inbox, [], False
        for item in items:
            if item[0] == "mark":
                self._queue_mark(*item[1:])
            else:
                task = asyncio.ensure_future(self._send_all(*item[1:]))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                with self._queued_lock:
                    self._queued -= 1

    def _queue_mark(self, kind: str, pk: int, group: str) -> None:
        self._marks[group] = (kind, pk)
        self._batch_calls += 1
        if not self._marks_scheduled:
            self._marks_scheduled = True
            asyncio.get_running_loop().call_soon(self._apply_marks)

    def _apply_marks(self) -> None:
        marks, self._marks, self._marks_scheduled = self._marks, {}, False
        calls, self._batch_calls = self._batch_calls, 0
        try:
            leaders = self.store.mark_many(
                {group: self.window_for(kind) for group, (kind, _pk) in marks.items()}
            )
        except Exception:
            logger.exception("live: could not mark %s dirty", list(marks))
            leaders = {}
        for group, token in leaders.items():
            kind, pk = marks[group]
            task = asyncio.ensure_future(self._lead(kind, pk, group, token))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        with self._queued_lock:
            self._queued -= calls

    def notify(self, groups: list[str], event_type: str) -> None:
        """Send a small event (no data) to per-socket groups (kiosks): refresh, revoked."""
        if groups and self._has_audience():
            self._post(("notify", list(groups), {"type": event_type}))

    def register_consumer_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """Consumers call this: an in-memory channel layer must be used from their loop."""
        self.consumer_loop = loop

    def drain(self, timeout: float = 5.0) -> bool:
        """Wait until every message submitted so far is sent (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = self._queued or any(not t.done() for t in list(self._tasks))
            if not busy:
                return True
            time.sleep(0.01)
        return False

    # Internals ----------------------------------------------------------------------------

    def _layer(self):
        return get_channel_layer(self.layer_alias)

    def _in_memory(self) -> bool:
        return isinstance(self._layer(), InMemoryChannelLayer)

    def _has_audience(self) -> bool:
        if self._layer() is None:
            return False
        if self._in_memory():  # only sockets of this process can listen
            loop = self.consumer_loop
            return loop is not None and not loop.is_closed()
        return True

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()

                def run():
                    try:
                        loop.run_forever()
                    finally:
                        loop.close()

                threading.Thread(target=run, name="pb-live-broadcast", daemon=True).start()
                self._loop = loop
            return self._loop

    def close(self) -> None:
        """Stop the thread: cancel what is in flight (tests, settings changes)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():

            async def shutdown():
                tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)

            try:
                asyncio.run_coroutine_threadsafe(shutdown(), loop).result(timeout=2)
            except Exception:
                logger.debug("live: broadcaster shutdown timed out", exc_info=True)
            loop.call_soon_threadsafe(loop.stop)
        self._executor.shutdown(wait=False)

    def _watched(self, group: str) -> bool:
        """Does any socket, in any process, listen to this group? No one: no snapshot to build.

        Known for the in-memory layer (its groups) and the Redis pub/sub layer (PUBSUB NUMSUB
        of the group's channel); any other layer is assumed to have listeners.
        """
        layer = self._layer()
        if isinstance(layer, InMemoryChannelLayer):
            return bool(layer.groups.get(group))
        if self._pubsub_prefix is not None and isinstance(self.store, RedisStore):
            channel = f"{self._pubsub_prefix}__group__{group}"
            return any(n for _name, n in self.store.redis.pubsub_numsub(channel))
        return True

    def window_for(self, kind: str) -> int:
        """The coalescing window of a kind's groups, in milliseconds."""
        own = _windows.get(kind)
        return int(own()) if own is not None else self.window_ms

    async def _lead(self, kind: str, pk: int, group: str, token: str) -> None:
        """Lead ``group`` while it keeps changing: one message per window, holding the
        window lock with ``token``. A publication that fails is tried again at the end of the
        next windows (up to PUBLISH_RETRIES times in a row): the last state must reach the
        sockets even if nothing else happens."""
        loop = asyncio.get_running_loop()
        window_ms = self.window_for(kind)
        window = window_ms / 1000
        started = loop.time()
        failures = 0
        while True:
            due_in = 0.0
            try:
                self.store.take_dirty(group)
                if self._watched(group):
                    data, due_in = await loop.run_in_executor(
                        self._executor, build_snapshot, kind, pk
                    )
                    await self._publish(group, data)
                else:
                    # Nobody to tell; the next socket to connect builds a fresh snapshot. We
                    # still hold the window: a socket may connect and a mark arrive before it
                    # ends, and that mark found the lock taken, so the trailing edge is ours.
                    self.store.forget(group)
                    if self._watched(group):  # one came in meanwhile: tell it at the window's end
                        self.store.set_dirty(group)
                failures = 0
            except Exception:
                failures += 1
                logger.exception("live: could not publish %s (failure %d)", group, failures)
            try:
                if due_in or 0 < failures <= PUBLISH_RETRIES:  # look again next window
                    self.store.set_dirty(group)
                await asyncio.sleep(max(0.0, started + window - loop.time()))
                if not self.store.end_window(group, token, window_ms):
                    return
            except Exception:
                logger.exception("live: coalescer store failed for %s", group)
                return
            started = loop.time()

    async def _publish(self, group: str, data: dict) -> None:
        previous = self.store.last(group)
        if previous is not None and previous[1] == data:
            return  # nothing visible changed
        seq = self.store.next_seq(group)
        if previous is None:
            message = {"type": "snapshot", "seq": seq, "data": data}
        else:
            changed = {k: v for k, v in data.items() if previous[1].get(k) != v}
            message = {"type": "delta", "seq": seq, "base": previous[0], "data": changed}
        self.store.save_last(group, seq, data)
        await self._group_send(group, {"type": "live.message", "seq": seq, "text": dumps(message)})

    async def _send_all(self, groups: list[str], event: dict) -> None:
        for group in groups:
            try:
                await self._group_send(group, event)
            except Exception:
                logger.exception("live: could not notify %s", group)

    async def _group_send(self, group: str, event: dict) -> None:
        layer = self._layer()
        if isinstance(layer, InMemoryChannelLayer):
            loop = self.consumer_loop
            if loop is None or loop.is_closed():
                return
            future = asyncio.run_coroutine_threadsafe(layer.group_send(group, event), loop)
            await asyncio.wrap_future(future)
        else:
            await layer.group_send(group, event)


def pubsub_prefix(alias: str) -> str | None:
    """The Redis channel prefix of a channels-redis pub/sub layer (its ``prefix`` option),
    or None for any other layer. A group's Redis channel is ``<prefix>__group__<group>``."""
    config = settings.CHANNEL_LAYERS.get(alias, {})
    if config.get("BACKEND") != "channels_redis.pubsub.RedisPubSubChannelLayer":
        return None
    return config.get("CONFIG", {}).get("prefix", "asgi")


_broadcaster: Broadcaster | None = None
_broadcaster_lock = threading.Lock()


def get_broadcaster() -> Broadcaster:
    global _broadcaster
    with _broadcaster_lock:
        if _broadcaster is None:
            url = live_setting("PB_LIVE_REDIS_URL")
            _broadcaster = Broadcaster(
                RedisStore(url) if url else LocalStore(),
                window_ms=live_setting("PB_LIVE_COALESCE_MS"),
                layer_alias=live_setting("PB_LIVE_CHANNEL_LAYER"),
            )
        return _broadcaster


def reset() -> None:
    """Forget every flag, lock, sequence and last snapshot (tests; settings changes)."""
    global _broadcaster
    with _broadcaster_lock:
        old, _broadcaster = _broadcaster, None
    if old is not None:
        old.close()
    try:
        get_broadcaster().store.reset()
    except Exception:
        logger.exception("live: could not reset the store")


# What services call (after commit) ----------------------------------------------------------


def mark_dirty(kind: str, pk: int) -> None:
    get_broadcaster().mark_dirty(kind, pk)


def notify(groups: list[str], event_type: str) -> None:
    """Send a small event without data (``{"type": event_type}``) to per-socket groups."""
    get_broadcaster().notify(groups, event_type)


def last_snapshot(kind: str, pk: int) -> tuple[int, dict] | None:
    return get_broadcaster().store.last(group_name(kind, pk))


def store_snapshot(kind: str, pk: int, data: dict) -> int:
    """Record a snapshot built outside the broadcaster (a socket found no last state)."""
    store = get_broadcaster().store
    group = group_name(kind, pk)
    seq = store.next_seq(group)
    store.save_last(group, seq, data)
    return seq
