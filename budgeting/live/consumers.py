"""WebSocket consumers of live voting. Protocol: docs/live-protocol.md.

Every socket gets a full ``snapshot`` when it connects (and when it asks to ``resync``), then
the group's ``delta``/``snapshot`` messages with increasing ``seq``. Database work runs in
``database_sync_to_async``; the messages the broadcaster sends are already JSON text, and the
process's hub (budgeting/live/hub.py) relays each to its sockets: no query, no thread hop, no
encoding and no task per socket.

A refused socket is accepted, then closed with its code (core/websocket.py), so browsers see
it: 4401 not authenticated (no login, no device credential), 4403 not allowed (another
facilitator's session, a revoked tablet, a process that hides live data), 4404 no such
process or session, 4410 the tablet's session is closed. Malformed frames close the socket
with 1003 (binary), 1007 (not JSON, or nested too deeply) or 1009 (too large).
"""

import asyncio
import time

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from budgeting.live import broadcast, selectors, services
from budgeting.live.conf import live_setting
from budgeting.live.hub import hub_for
from budgeting.live.models import VotingSession
from budgeting.live.rules import can_view_session
from budgeting.models import Process
from citizens.rules import is_officer
from core.websocket import FORBIDDEN, GONE, NOT_FOUND, UNAUTHENTICATED, JsonConsumer

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
        """Called by the hub (budgeting/live/hub.py) for each message of the group."""
        if event["seq"] <= self.seq:
            return  # already covered by the snapshot this socket got
        self.seq = event["seq"]
        await self.base_send({"type": "websocket.send", "text": event["text"]})


class ProcessLiveConsumer(GroupConsumer):
    """``ws/live/processes/<id>/``: public turnout (and results) of a process."""

    kind = broadcast.PROCESS

    def authorize(self) -> int | None:
        process = Process.objects.filter(pk=self.pk).first()
        if process is None:
            return NOT_FOUND
        user = self.scope.get("user")
        officer = user is not None and is_officer(user)
        if not (process.is_public or officer):
            return NOT_FOUND
        if process.live_results == Process.LiveResults.NONE and not officer:
            return FORBIDDEN
        return None


class SessionLiveConsumer(GroupConsumer):
    """``ws/live/sessions/<id>/``: a session's dashboard, for its facilitators and officers."""

    kind = broadcast.SESSION

    def authorize(self) -> int | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return UNAUTHENTICATED
        session = VotingSession.objects.filter(pk=self.pk).first()
        if session is None:
            return NOT_FOUND
        if not can_view_session(user, session):
            return FORBIDDEN
        return None


class KioskConsumer(LiveConsumer):
    """``ws/live/kiosk/``: a paired tablet, authenticated by its device credential cookie.

    Its snapshot carries the tablet's ballot token, so it is built for this socket alone and
    never passes through the channel layer: the layer only says "refresh".
    """

    tablet_id: int | None = None

    async def connect(self):
        self.seq = 0
        cookies = self.scope.get("cookies") or {}
        credential = cookies.get(live_setting("PB_LIVE_DEVICE_COOKIE"), "")
        denied, tablet_id, session_id = await database_sync_to_async(self._open)(credential)
        if denied:
            await self.refuse(denied)
            return
        self.tablet_id = tablet_id
        await self.join(broadcast.tablet_group(tablet_id), broadcast.kiosks_group(session_id))
        await self.accept()
        await self.send_snapshot()

    def _open(self, credential: str) -> tuple[int | None, int | None, int | None]:
        tablet = selectors.tablet_for_credential(credential)
        if tablet is None:
            return UNAUTHENTICATED, None, None
        if tablet.is_revoked:
            return FORBIDDEN, None, None
        if tablet.session.state in (VotingSession.State.CLOSED, VotingSession.State.RECONCILED):
            return GONE, None, None
        services.tablet_connected(tablet_id=tablet.pk)
        return None, tablet.pk, tablet.session_id

    async def send_snapshot(self) -> None:
        data = await database_sync_to_async(selectors.kiosk_snapshot)(self.tablet_id)
        if data.get("revoked"):
            await self.kiosk_revoked({})
            return
        self.seq += 1
        await self.send(
            text_data=broadcast.dumps({"type": "snapshot", "seq": self.seq, "data": data})
        )
        if data["session"]["state"] in (
            VotingSession.State.CLOSED,
            VotingSession.State.RECONCILED,
        ):
            await self.close(code=GONE)

    async def resync(self, kind: str) -> None:
        await self.send_snapshot()

    async def ping(self) -> None:
        await database_sync_to_async(services.tablet_seen)(tablet_id=self.tablet_id)

    async def kiosk_refresh(self, event):
        await self.send_snapshot()

    async def kiosk_revoked(self, event):
        await self.send_json(
            {
                "type": "error",
                "code": "revoked",
                "message": _("This tablet was unpaired by the facilitator."),
            }
        )
        await self.close(code=FORBIDDEN)

    async def disconnect(self, code):
        if self.tablet_id is not None:
            await database_sync_to_async(services.tablet_disconnected)(tablet_id=self.tablet_id)
            self.tablet_id = None
