"""Live sockets of meeting motions (WebsocketCommunicator, as tests/live_voting): who may
connect, coalesced tallies on the console and the projector, a member online and a room
tablet voting at once."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.sessions import CookieMiddleware
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from assemblies.motions import services
from assemblies.motions.consumers import DEVICE_COOKIE
from assemblies.motions.models import Participation, Vote
from assemblies.motions.routing import websocket_urlpatterns
from config.asgi import application
from tests.motions.factories import motion_make, setup

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

router = CookieMiddleware(URLRouter(websocket_urlpatterns))
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1")


def socket(path, user=None, cookie=None):
    headers = [ORIGIN]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    comm = WebsocketCommunicator(router, path, headers=headers)
    comm.scope["user"] = user or AnonymousUser()
    return comm


async def close_code(comm) -> int:
    connected, _ = await comm.connect()
    assert connected, "refused before accept: a browser would not see why"
    message = await comm.receive_output(timeout=3)
    assert message["type"] == "websocket.close", message
    return message["code"]


class Replica:
    def __init__(self):
        self.seq, self.state = 0, None

    def apply(self, message):
        if message["type"] == "snapshot":
            assert message["seq"] >= self.seq
            self.seq, self.state = message["seq"], dict(message["data"])
        elif message["type"] == "delta":
            assert message["seq"] > self.seq and message["base"] == self.seq
            self.state.update(message["data"])
            self.seq = message["seq"]
        return self.state


async def until(comm, replica, predicate, timeout=8.0):
    """Apply messages until the replica's state satisfies predicate; returns them."""
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = await comm.receive_json_from(timeout=max(0.05, deadline - time.monotonic()))
        messages.append(message)
        replica.apply(message)
        if predicate(replica.state):
            return messages
    raise AssertionError(f"never reached: {replica.state}")


def voters_of(state, motion):
    return next(m["voters"] for m in state["motions"] if m["id"] == motion.pk)


@pytest.fixture
def world(db):
    s = setup(members=30)
    s["motion"] = motion_make(s["meeting"], s["chair"])
    return s


async def test_who_may_connect(world):
    meeting = world["meeting"]
    comm = socket(f"/ws/motions/meetings/{meeting.pk}/")
    assert (await comm.connect())[0]
    first = await comm.receive_json_from(timeout=3)
    assert first["type"] == "snapshot" and first["data"]["open"] == [world["motion"].pk]
    await comm.disconnect()
    assert await close_code(socket("/ws/motions/meetings/999999/")) == 4404
    assert await close_code(socket(f"/ws/motions/chair/{meeting.pk}/")) == 4401
    member = world["voters"][0]
    assert await close_code(socket(f"/ws/motions/chair/{meeting.pk}/", user=member)) == 4403
    chair = socket(f"/ws/motions/chair/{meeting.pk}/", user=world["chair"])
    assert (await chair.connect())[0]
    data = (await chair.receive_json_from(timeout=3))["data"]
    assert len(data["present"]) == 31  # thirty members and the observer are checked in
    await chair.disconnect()
    assert await close_code(socket("/ws/motions/kiosk/")) == 4401
    assert await close_code(socket("/ws/motions/kiosk/", cookie=f"{DEVICE_COOKIE}=nope")) == 4401
    # The whole ASGI stack checks the Origin, as for PB's sockets.
    foreign = WebsocketCommunicator(
        application,
        f"/ws/motions/meetings/{meeting.pk}/",
        headers=[(b"origin", b"http://evil.example"), HOST],
    )
    assert await close_code(foreign) == 4403


def _burst(motion, voters):
    for voter in voters:
        services.vote_cast(actor=voter, motion=motion, choice="yes")


async def test_console_and_projector_get_coalesced_tallies(world):
    motion, meeting = world["motion"], world["meeting"]
    projector = socket(f"/ws/motions/meetings/{meeting.pk}/")
    console = socket(f"/ws/motions/chair/{meeting.pk}/", user=world["chair"])
    replicas = {}
    for comm in (projector, console):
        assert (await comm.connect())[0]
        replicas[comm] = Replica()
        replicas[comm].apply(await comm.receive_json_from(timeout=3))
    started = time.monotonic()
    await sync_to_async(_burst)(motion, world["voters"])
    for comm in (projector, console):
        messages = await until(comm, replicas[comm], lambda s: voters_of(s, motion) == 30)
        elapsed = time.monotonic() - started
        assert len(messages) < 30, "one message per window, not one per vote"
        assert len(messages) <= elapsed / 0.2 + 2
        assert all(m["type"] == "delta" for m in messages)
        row = next(m for m in replicas[comm].state["motions"] if m["id"] == motion.pk)
        assert {c["key"]: c["votes"] for c in row["choices"]}["yes"] == 30
        await comm.disconnect()


async def test_a_member_online_and_a_room_tablet_vote_at_once_and_each_counts_once(world):
    motion, meeting, chair = world["motion"], world["meeting"], world["chair"]
    online, in_room = world["voters"][0], world["voters"][1]

    def prepare():
        code = services.pairing_code(actor=chair, meeting=meeting)
        tablet, credential = services.tablet_pair(code=code, label="Row 1")
        services.token_issue(actor=chair, motion=motion, tablet=tablet, user=in_room)
        return credential, services.kiosk_state(tablet)["token"]["token"]

    credential, token = await sync_to_async(prepare)()
    kiosk = socket("/ws/motions/kiosk/", cookie=f"{DEVICE_COOKIE}={credential}")
    assert (await kiosk.connect())[0]
    assert (await kiosk.receive_json_from(timeout=3))["data"]["token"]["token"] == token
    projector = socket(f"/ws/motions/meetings/{meeting.pk}/")
    assert (await projector.connect())[0]
    replica = Replica()
    replica.apply(await projector.receive_json_from(timeout=3))

    def web():
        services.vote_cast(actor=online, motion=motion, choice="no")

    def tablet():
        services.tablet_cast(credential=credential, token=token, choice="yes")

    def tablet_again():
        try:
            services.tablet_cast(credential=credential, token=token, choice="yes")
        except Exception as exc:  # the token is used, or the vote already counted
            return exc

    await asyncio.gather(
        sync_to_async(web, thread_sensitive=False)(),
        sync_to_async(tablet, thread_sensitive=False)(),
    )
    assert await sync_to_async(tablet_again, thread_sensitive=False)() is not None
    await until(projector, replica, lambda s: voters_of(s, motion) == 2)
    # The tablet is told to refresh: its ballot is gone.
    refreshed = await kiosk.receive_json_from(timeout=3)
    assert refreshed["type"] == "snapshot" and refreshed["data"]["token"] is None

    def counts():
        return (
            Participation.objects.filter(motion=motion).count(),
            sorted(Vote.objects.filter(motion=motion).values_list("choice", flat=True)),
        )

    assert await sync_to_async(counts)() == (2, ["no", "yes"])
    await projector.disconnect()
    await kiosk.disconnect()
