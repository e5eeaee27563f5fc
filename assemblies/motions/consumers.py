"""WebSocket consumers of meeting motions, on the shared live layer. Protocol:
docs/live-protocol.md ("Motions in meetings").

- ``ws/motions/meetings/<id>/``: the tally of the meeting's motions (projector, members);
  anyone, like the meeting's public page.
- ``ws/motions/chair/<id>/``: the chair's console (the policy's ``chair`` action).
- ``ws/motions/kiosk/``: a paired room tablet, by its device cookie; per socket, told to
  ``refresh`` (its state carries its one-time token).
"""

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from assemblies.models import Meeting
from assemblies.motions import live, services
from assemblies.motions.rules import chair_verdict
from core.websocket import FORBIDDEN, GONE, NOT_FOUND, UNAUTHENTICATED
from live import broadcast
from live.consumers import GroupConsumer, LiveConsumer

DEVICE_COOKIE = "motions_device"


class MeetingMotionsConsumer(GroupConsumer):
    kind = live.MEETING

    def authorize(self) -> int | None:
        if not Meeting.objects.filter(pk=self.pk).exists():
            return NOT_FOUND
        return None


class ChairConsoleConsumer(GroupConsumer):
    kind = live.CHAIR

    def authorize(self) -> int | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return UNAUTHENTICATED
        meeting = Meeting.objects.select_related("assembly").filter(pk=self.pk).first()
        if meeting is None:
            return NOT_FOUND
        if not chair_verdict(user, meeting):
            return FORBIDDEN
        return None


class RoomKioskConsumer(LiveConsumer):
    tablet_id: int | None = None

    async def connect(self):
        self.seq = 0
        credential = (self.scope.get("cookies") or {}).get(DEVICE_COOKIE, "")
        denied, tablet_id, meeting_id = await database_sync_to_async(self._open)(credential)
        if denied:
            await self.refuse(denied)
            return
        self.tablet_id = tablet_id
        await self.join(live.tablet_group(tablet_id), live.kiosks_group(meeting_id))
        await self.accept()
        await self.send_snapshot()

    def _open(self, credential: str):
        tablet = services.tablet_for_credential(credential)
        if tablet is None:
            return UNAUTHENTICATED, None, None
        if tablet.is_revoked:
            return FORBIDDEN, None, None
        if tablet.meeting.is_closed:
            return GONE, None, None
        return None, tablet.pk, tablet.meeting_id

    def _state(self) -> dict:
        tablet = services.RoomTablet.objects.select_related("meeting").get(pk=self.tablet_id)
        return services.kiosk_state(tablet)

    async def send_snapshot(self) -> None:
        data = await database_sync_to_async(self._state)()
        if data["revoked"]:
            await self.kiosk_revoked({})
            return
        self.seq += 1
        await self.send(
            text_data=broadcast.dumps({"type": "snapshot", "seq": self.seq, "data": data})
        )

    async def resync(self, kind: str) -> None:
        await self.send_snapshot()

    async def kiosk_refresh(self, event):
        await self.send_snapshot()

    async def kiosk_revoked(self, event):
        await self.send_json(
            {
                "type": "error",
                "code": "revoked",
                "message": _("This tablet was unpaired by the chair."),
            }
        )
        await self.close(code=FORBIDDEN)
