"""Live sockets shared by every live screen (PB sessions, meeting motions). Protocol:
docs/live-protocol.md.

``GroupConsumer``: a socket on a coalesced group. It gets a full ``snapshot`` when it connects
(and when it asks to ``resync``), then the group's ``delta``/``snapshot`` messages with
increasing ``seq``, relayed by the process's hub (live/hub.py): no query, no thread hop, no
encoding and no task per socket. A subclass names its ``kind`` (registered with
``live.broadcast.register_snapshot_builder``) and answers ``authorize()`` from its policy.

``LiveConsumer``: ping/pong and the rate-limited ``resync``/``refresh``, for per-socket
screens too (kiosks). Refusals are accepted, then closed with their code (core/websocket.py).
"""

import asyncio
import time

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from core.websocket import JsonConsumer
from live import broadcast
from live.conf import live_setting
from live.hub import hub_for

RESYNC_EVERY = 1.0  # seconds between two resyncs of one socket


class LiveConsumer(JsonConsumer):
    """Shared behaviour: the live channel layer, ping/pong, rate-limited resync."""

    channel_layer_alias = live_setting("PB_LIVE_CHANNEL_LAYER")

    async def websocket_connect(self, message):
        broadcast.get_broadcaster().register_consumer_loop(asyncio.get_running_loop())
        self._last_resync = 0.0
        await super().websocket_connect(message)

    async def join(self, *groups: str) -> None:
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups = list(groups)  # left again by websocket_disconnect

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.ping()
            await self.send_json({"type": "pong"})
        elif kind in ("resync", "refresh"):
            now = time.monotonic()
            if now - self._last_resync < RESYNC_EVERY:
                await self.send_json(
                    {"type": "error", "code": "too_fast", "message": _("Too many requests.")}
                )
                return
            self._last_resync = now
            await self.resync(kind)
        else:
            await self.send_json(
                {"type": "error", "code": "unknown_type", "message": _("Unknown message.")}
            )

    async def ping(self) -> None:
        pass

    async def resync(self, kind: str) -> None:
        raise NotImplementedError


class GroupConsumer(LiveConsumer):
    """A socket on a coalesced group (a process or a session): snapshot, then deltas."""

    kind: str
    hub_group: str | None = None

    async def connect(self):
        self.pk = int(self.scope["url_route"]["kwargs"]["pk"])
        self.seq = 0
        denied = await database_sync_to_async(self.authorize)()
        if denied:
            await self.refuse(denied)
            return
        # Joined before the snapshot is read, so no message falls between the two.
        self.hub_group = broadcast.group_name(self.kind, self.pk)
        await hub_for(self.channel_layer).join(self.hub_group, self)
        await self.accept()
        await self.send_snapshot()

    async def disconnect(self, code):
        if self.hub_group is not None:
            await hub_for(self.channel_layer).leave(self.hub_group, self)
            self.hub_group = None

    def authorize(self) -> int | None:
        raise NotImplementedError

    def current(self) -> tuple[int, dict]:
        """The last published snapshot; built and recorded if there is none yet."""
        last = broadcast.last_snapshot(self.kind, self.pk)
        if last is not None:
            return last
        data, _stale = broadcast.snapshot_data(self.kind, self.pk)
        return broadcast.store_snapshot(self.kind, self.pk, data), data

    async def send_snapshot(self) -> None:
        seq, data = await database_sync_to_async(self.current)()
        self.seq = max(self.seq, seq)
        await self.send(text_data=broadcast.dumps({"type": "snapshot", "seq": seq, "data": data}))

    async def resync(self, kind: str) -> None:
        if kind == "refresh":  # a dashboard asks for fresh numbers (e.g. tablets gone quiet)
            await database_sync_to_async(broadcast.mark_dirty)(self.kind, self.pk)
        await self.send_snapshot()

    async def live_message(self, event):
        """Called by the hub (live/hub.py) for each message of the group."""
        if event["seq"] <= self.seq:
            return  # already covered by the snapshot this socket got
        self.seq = event["seq"]
        await self.base_send({"type": "websocket.send", "text": event["text"]})
