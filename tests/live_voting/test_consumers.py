"""Live sockets with WebsocketCommunicator: who may connect, snapshots, coalesced deltas."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.sessions import CookieMiddleware
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from budgeting import services as pb_services
from budgeting.live import broadcast, services
from budgeting.live.conf import live_setting
from budgeting.live.models import Tablet, VotingSession
from budgeting.live.routing import websocket_urlpatterns
from budgeting.models import Channel, Process
from config.asgi import application
from live.hub import hub_for
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import officer_create
from tests.live_voting.factories import checkin, facilitator_create, session_make, tablet_make

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
    """The code a refused socket is closed with. Refusals come after the handshake is
    accepted: a socket closed during the handshake shows browsers 1006, not the code."""
    connected, _ = await comm.connect()
    assert connected, "refused before accept: a browser would not see why"
    message = await comm.receive_output(timeout=3)
    assert message["type"] == "websocket.close", message
    return message["code"]


async def receive_until(comm, predicate, timeout=5.0):
    """Every message until one satisfies predicate (returned last)."""
    messages = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = await comm.receive_json_from(timeout=max(0.05, deadline - time.monotonic()))
        messages.append(message)
        if predicate(message):
            return messages
    raise AssertionError(f"no matching message in {messages}")


class Replica:
    """What a client keeps: applies snapshots and deltas, checks seq and base."""

    def __init__(self):
        self.seq, self.state = 0, None

    def apply(self, message):
        if message["type"] == "snapshot":
            assert message["seq"] >= self.seq
            self.seq, self.state = message["seq"], dict(message["data"])
        elif message["type"] == "delta":
            assert message["seq"] > self.seq, "seq must grow"
            assert message["base"] == self.seq, "no gap: the delta applies to what we have"
            self.state.update(message["data"])
            self.seq = message["seq"]
        return self.state


@pytest.fixture
def world(db):
    process = process_create(budget=1_000_000, live_results=Process.LiveResults.FULL)
    projects = [project_create(process, cost=10_000) for _ in range(3)]
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    return process, projects, facilitator, session


# Who may connect ---------------------------------------------------------------------------


async def test_anyone_gets_a_public_processs_snapshot_on_connect(world):
    process, *_ = world
    comm = socket(f"/ws/live/processes/{process.pk}/")
    connected, _ = await comm.connect()
    assert connected
    message = await comm.receive_json_from(timeout=3)
    assert message["type"] == "snapshot" and message["seq"] > 0
    data = message["data"]
    assert data["process"] == process.pk and data["ballots"] == 0
    assert set(data["by_channel"]) == set(Channel.values)
    assert data["results"]["envelopes"][0]["projects"]
    await comm.disconnect()


async def test_hidden_processes_and_hidden_live_data_are_refused(world):
    draft = await sync_to_async(process_create)(state=Process.State.DRAFT)
    comm = socket(f"/ws/live/processes/{draft.pk}/")
    assert await close_code(comm) == 4404
    quiet = await sync_to_async(process_create)(live_results=Process.LiveResults.NONE)
    comm = socket(f"/ws/live/processes/{quiet.pk}/")
    assert await close_code(comm) == 4403
    officer = await sync_to_async(officer_create)()
    comm = socket(f"/ws/live/processes/{quiet.pk}/", user=officer)
    assert (await comm.connect())[0]
    await comm.disconnect()
    comm = socket("/ws/live/processes/999999/")
    assert await close_code(comm) == 4404


async def test_a_sessions_dashboard_is_for_its_facilitators_and_officers(world):
    _process, _projects, facilitator, session = world
    path = f"/ws/live/sessions/{session.pk}/"
    assert await close_code(socket(path)) == 4401
    stranger = await sync_to_async(facilitator_create)()
    assert await close_code(socket(path, user=stranger)) == 4403
    for user in (facilitator, await sync_to_async(officer_create)()):
        comm = socket(path, user=user)
        assert (await comm.connect())[0]
        snapshot = await comm.receive_json_from(timeout=3)
        assert snapshot["type"] == "snapshot" and snapshot["data"]["session"] == session.pk
        await comm.disconnect()


async def test_a_kiosk_needs_a_valid_unrevoked_credential_of_an_open_session(world):
    process, _projects, facilitator, session = world
    assert await close_code(socket("/ws/live/kiosk/")) == 4401
    assert await close_code(socket("/ws/live/kiosk/", cookie="pb_live_device=forged")) == 4401
    tablet, credential = await sync_to_async(tablet_make)(session, connected=False)
    await sync_to_async(services.tablet_revoke)(actor=facilitator, session=session, tablet=tablet)
    comm = socket("/ws/live/kiosk/", cookie=f"pb_live_device={credential}")
    assert await close_code(comm) == 4403
    closed = await sync_to_async(session_make)(process, state=VotingSession.State.CLOSED)
    _tablet, credential = await sync_to_async(tablet_make)(closed)
    comm = socket("/ws/live/kiosk/", cookie=f"pb_live_device={credential}")
    assert await close_code(comm) == 4410


async def test_the_asgi_stack_refuses_foreign_origins_with_4403(world):
    process, *_ = world
    path = f"/ws/live/processes/{process.pk}/"

    def stack(*headers):
        return WebsocketCommunicator(application, path, headers=list(headers))

    assert await close_code(stack((b"origin", b"http://evil.example"), HOST)) == 4403
    assert await close_code(stack(HOST)) == 4403  # no Origin at all
    # Same host, another port or scheme: another origin.
    assert await close_code(stack((b"origin", b"http://127.0.0.1:9999"), HOST)) == 4403
    assert await close_code(stack((b"origin", b"https://127.0.0.1"), HOST)) == 4403
    good = stack(ORIGIN, HOST)
    assert (await good.connect())[0]
    assert (await good.receive_json_from(timeout=3))["type"] == "snapshot"
    await good.disconnect()


async def test_the_allowed_origins_setting_takes_full_origins(world, settings):
    process, *_ = world
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://*.example.org", "http://kiosk.test:8080"]
    path = f"/ws/live/processes/{process.pk}/"
    for origin, allowed in (
        (b"https://live.example.org", True),
        (b"http://live.example.org", False),
        (b"http://kiosk.test:8080", True),
        (b"http://kiosk.test", False),
    ):
        comm = WebsocketCommunicator(application, path, headers=[(b"origin", origin), HOST])
        if allowed:
            assert (await comm.connect())[0] and (await comm.receive_json_from(timeout=3))
            await comm.disconnect()
        else:
            assert await close_code(comm) == 4403, origin


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"bytes": b"\x00\x01"}, 1003),
        ({"text": "not json"}, 1007),
        ({"text": "[" * 3_000}, 1007),
        ({"text": '{"type": "ping", "n": 1e999}'}, 1007),
        ({"text": '"' + "x" * 10_000 + '"'}, 1009),
    ],
)
async def test_a_malformed_frame_closes_the_socket_with_one_warning(world, caplog, frame, code):
    process, *_ = world
    comm = socket(f"/ws/live/processes/{process.pk}/")
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=3)  # the snapshot
    await comm.send_input({"type": "websocket.receive", **frame})
    message = await comm.receive_output(timeout=3)
    assert message == {"type": "websocket.close", "code": code}
    warnings = [r for r in caplog.records if r.name == "core.websocket"]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"
    assert not any(r.exc_info for r in caplog.records)
    await comm.disconnect()


# Kiosk -------------------------------------------------------------------------------------


async def test_a_kiosk_receives_its_token_when_the_voter_is_checked_in(world):
    _process, _projects, facilitator, session = world
    tablet, credential = await sync_to_async(tablet_make)(session, connected=False)
    comm = socket("/ws/live/kiosk/", cookie=f"pb_live_device={credential}")
    assert (await comm.connect())[0]
    first = await comm.receive_json_from(timeout=3)
    assert first["data"]["token"] is None and first["data"]["tablet"]["id"] == tablet.pk
    state = await sync_to_async(lambda: Tablet.objects.get(pk=tablet.pk).state)()
    assert state == Tablet.State.IDLE
    _result, token = await sync_to_async(checkin)(session, facilitator, tablet=tablet)
    message = await comm.receive_json_from(timeout=3)
    assert message["type"] == "snapshot" and message["data"]["token"]["token"] == token
    await comm.disconnect()
    state = await sync_to_async(lambda: Tablet.objects.get(pk=tablet.pk).state)()
    assert state == Tablet.State.OFFLINE


async def test_a_revoked_kiosk_is_disconnected(world):
    _process, _projects, facilitator, session = world
    tablet, credential = await sync_to_async(tablet_make)(session, connected=False)
    comm = socket("/ws/live/kiosk/", cookie=f"pb_live_device={credential}")
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=3)
    await sync_to_async(services.tablet_revoke)(actor=facilitator, session=session, tablet=tablet)
    message = await comm.receive_json_from(timeout=3)
    assert message == {
        "type": "error",
        "code": "revoked",
        "message": "This tablet was unpaired by the facilitator.",
    }
    assert (await comm.receive_output(timeout=3))["code"] == 4403


# Snapshots, deltas, coalescing -------------------------------------------------------------


def _paper_burst(process, project, n):
    for _ in range(n):
        pb_services.ballot_store(
            process=process, channel=Channel.PAPER, project_ids=[project.pk], idempotency_key=key()
        )


async def test_a_burst_of_ballots_arrives_as_a_few_coalesced_messages(world):
    process, projects, *_ = world
    comm = socket(f"/ws/live/processes/{process.pk}/")
    assert (await comm.connect())[0]
    replica = Replica()
    replica.apply(await comm.receive_json_from(timeout=3))
    started = time.monotonic()
    await sync_to_async(_paper_burst)(process, projects[0], 50)
    burst = time.monotonic() - started
    messages = await receive_until(comm, lambda m: m["data"].get("ballots") == 50)
    elapsed = time.monotonic() - started
    for message in messages:
        replica.apply(message)
    assert replica.state["ballots"] == 50 and replica.state["by_channel"]["paper"] == 50
    # At most one message per window (plus the leading edge), not one per ballot.
    window = live_setting("PB_LIVE_COALESCE_MS") / 1000
    assert len(messages) <= elapsed / window + 2, (len(messages), burst, elapsed)
    assert len(messages) < 50
    assert all(m["type"] == "delta" for m in messages)
    await comm.disconnect()


def _votes(state, project):
    rows = (state.get("results") or {"envelopes": [{"projects": []}]})["envelopes"][0]["projects"]
    return {p["id"]: p["votes"] for p in rows}.get(project.pk)


async def test_live_results_are_recomputed_at_most_every_interval_and_catch_up(world, settings):
    settings.PB_LIVE_RESULTS_INTERVAL = 1.0
    process, projects, *_ = world
    comm = socket(f"/ws/live/processes/{process.pk}/")
    assert (await comm.connect())[0]
    replica = Replica()
    replica.apply(await comm.receive_json_from(timeout=3))
    await sync_to_async(_paper_burst)(process, projects[0], 20)
    changes = []
    for message in await receive_until(
        comm, lambda m: _votes(m["data"], projects[0]) == 20, timeout=5
    ):
        replica.apply(message)
        if "results" in message["data"]:
            changes.append(time.monotonic())
    assert replica.state["ballots"] == 20 and _votes(replica.state, projects[0]) == 20
    gaps = [b - a for a, b in zip(changes, changes[1:], strict=False)]
    assert all(gap >= 0.8 for gap in gaps), gaps
    await comm.disconnect()


async def test_the_dashboard_follows_check_ins_and_ballots_with_growing_seq(world):
    _process, projects, facilitator, session = world
    tablet, credential = await sync_to_async(tablet_make)(session)
    comm = socket(f"/ws/live/sessions/{session.pk}/", user=facilitator)
    assert (await comm.connect())[0]
    replica = Replica()
    replica.apply(await comm.receive_json_from(timeout=3))
    _result, token = await sync_to_async(checkin)(session, facilitator, tablet=tablet)
    for message in await receive_until(comm, lambda m: m["data"].get("checkins") == 1):
        replica.apply(message)
    assert replica.state["tokens"]["issued"] == 1
    await sync_to_async(services.kiosk_cast)(
        tablet=tablet, token=token, project_ids=[projects[0].pk], idempotency_key=key()
    )
    for message in await receive_until(
        comm, lambda m: (m["data"].get("ballots") or {}).get("in_person") == 1
    ):
        replica.apply(message)
    assert replica.state["tokens"]["used"] == 1 and replica.state["tokens"]["issued"] == 0
    await comm.disconnect()


async def test_a_client_that_missed_a_message_resyncs_to_the_current_snapshot(world):
    process, projects, *_ = world
    comm = socket(f"/ws/live/processes/{process.pk}/")
    assert (await comm.connect())[0]
    first = await comm.receive_json_from(timeout=3)
    await sync_to_async(_paper_burst)(process, projects[0], 3)
    await receive_until(comm, lambda m: m["data"].get("ballots") == 3)  # "lost" on the way
    await comm.send_json_to({"type": "resync"})
    snapshot = await comm.receive_json_from(timeout=3)
    assert snapshot["type"] == "snapshot" and snapshot["seq"] > first["seq"]
    assert snapshot["data"]["ballots"] == 3
    await comm.send_json_to({"type": "resync"})  # at most one per second
    assert (await comm.receive_json_from(timeout=3))["code"] == "too_fast"
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from(timeout=3) == {"type": "pong"}
    await comm.disconnect()


async def test_a_second_viewer_gets_the_last_state_without_waiting(world):
    process, projects, *_ = world
    first = socket(f"/ws/live/processes/{process.pk}/")
    assert (await first.connect())[0]
    await first.receive_json_from(timeout=3)
    await sync_to_async(_paper_burst)(process, projects[1], 2)
    await receive_until(first, lambda m: m["data"].get("ballots") == 2)
    second = socket(f"/ws/live/processes/{process.pk}/")
    assert (await second.connect())[0]
    snapshot = await second.receive_json_from(timeout=3)
    assert snapshot["type"] == "snapshot" and snapshot["data"]["ballots"] == 2
    await first.disconnect()
    await second.disconnect()


async def test_a_viewer_arriving_in_a_window_nobody_watched_still_gets_the_next_change(
    world, settings
):
    """The leader of a window nobody watched keeps its trailing edge: a socket may connect
    and a ballot arrive before the window ends (that ballot finds the window taken)."""
    settings.PB_LIVE_COALESCE_MS = 1000
    await sync_to_async(broadcast.reset)()
    process, projects, *_ = world
    early = socket(f"/ws/live/processes/{process.pk}/")
    assert (await early.connect())[0]
    await early.receive_json_from(timeout=3)
    await early.disconnect()
    await sync_to_async(_paper_burst)(process, projects[0], 1)  # leads a window, unwatched
    await asyncio.sleep(0.2)
    comm = socket(f"/ws/live/processes/{process.pk}/")
    assert (await comm.connect())[0]
    replica = Replica()
    assert replica.apply(await comm.receive_json_from(timeout=3))["ballots"] == 1
    await sync_to_async(_paper_burst)(process, projects[0], 1)  # same window
    for message in await receive_until(comm, lambda m: m["data"].get("ballots") == 2, 3):
        replica.apply(message)
    assert replica.state["by_channel"]["paper"] == 2
    await comm.disconnect()


async def test_the_sockets_of_a_process_share_one_listener_per_group(world):
    process, projects, *_ = world
    group = broadcast.group_name(broadcast.PROCESS, process.pk)
    sockets = [socket(f"/ws/live/processes/{process.pk}/") for _ in range(3)]
    for comm in sockets:
        assert (await comm.connect())[0]
        await comm.receive_json_from(timeout=3)
    hub = hub_for(get_channel_layer(live_setting("PB_LIVE_CHANNEL_LAYER")))
    assert len(hub.members[group]) == 3 and len(hub.listeners) == 1
    await sync_to_async(_paper_burst)(process, projects[0], 1)
    for comm in sockets:
        await receive_until(comm, lambda m: m["data"].get("ballots") == 1)
    await sockets[0].disconnect()
    assert len(hub.members[group]) == 2
    await sync_to_async(_paper_burst)(process, projects[0], 1)
    for comm in sockets[1:]:
        await receive_until(comm, lambda m: m["data"].get("ballots") == 2)
    for comm in sockets[1:]:
        await comm.disconnect()
    assert group not in hub.members and group not in hub.listeners


async def test_rolled_back_ballots_are_never_announced(world):
    process, projects, *_ = world
    comm = socket(f"/ws/live/processes/{process.pk}/")
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=3)

    def rolled_back():
        from django.db import transaction

        try:
            with transaction.atomic():
                _paper_burst(process, projects[0], 1)
                raise RuntimeError("rollback")
        except RuntimeError:
            pass

    await sync_to_async(rolled_back)()
    assert await comm.receive_nothing(timeout=0.6)
    await comm.disconnect()


async def test_the_broadcaster_sends_nothing_when_nothing_changed(world):
    process, *_ = world
    comm = socket(f"/ws/live/processes/{process.pk}/")
    assert (await comm.connect())[0]
    await comm.receive_json_from(timeout=3)
    await sync_to_async(broadcast.mark_dirty)(broadcast.PROCESS, process.pk)
    await asyncio.sleep(0.3)
    assert await comm.receive_nothing(timeout=0.3)
    await comm.disconnect()
