"""WebSocket consumers of live voting. Protocol: docs/live-protocol.md.

Every socket gets a full ``snapshot`` when it connects (and when it asks to ``resync``), then
the group's ``delta``/``snapshot`` messages with increasing ``seq``. Database work runs in
``database_sync_to_async``; the messages the broadcaster sends are already JSON text, and the
process's hub (live/hub.py) relays each to its sockets: no query, no thread hop, no
encoding and no task per socket.

A refused socket is accepted, then closed with its code (core/websocket.py), so browsers see
it: 4401 not authenticated (no login, no device credential), 4403 not allowed (another
facilitator's session, a revoked tablet, a process that hides live data), 4404 no such
process or session, 4410 the tablet's session is closed. Malformed frames close the socket
with 1003 (binary), 1007 (not JSON, or nested too deeply) or 1009 (too large).
"""

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from budgeting.live import broadcast, selectors, services
from budgeting.live.conf import live_setting
from budgeting.live.models import VotingSession
from budgeting.live.rules import can_view_session
from budgeting.models import Process
from citizens.rules import is_officer
from core.websocket import FORBIDDEN, GONE, NOT_FOUND, UNAUTHENTICATED
from live.consumers import GroupConsumer, LiveConsumer


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
