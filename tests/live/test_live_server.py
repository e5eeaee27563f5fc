"""A real server (uvicorn in a thread) and a real WebSocket client: cast over HTTP, see it live."""

import asyncio
import json
import time

import pytest
from websockets.asyncio.client import connect

from budgeting.live import services
from budgeting.models import Process
from tests.budgeting.factories import key, process_create, project_create
from tests.live.kiosk_http import KioskHttp
from tests.live_voting.factories import checkin, facilitator_create, session_make, tablet_make

pytestmark = pytest.mark.django_db(transaction=True)


async def next_message(ws, predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
        if predicate(message):
            return message


def test_a_ballot_cast_over_http_reaches_a_websocket_viewer(asgi_server):
    process = process_create(live_results=Process.LiveResults.FULL)
    project = project_create(process, cost=10_000)
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    kiosk = KioskHttp(asgi_server.url, credential)
    assert 'id="kiosk"' in kiosk.open_kiosk()
    origin = asgi_server.url

    async def scenario():
        uri = f"{asgi_server.ws_url}/ws/live/processes/{process.pk}/"
        async with connect(uri, origin=origin) as viewer:
            snapshot = json.loads(await asyncio.wait_for(viewer.recv(), 5))
            assert snapshot["type"] == "snapshot" and snapshot["data"]["ballots"] == 0
            status, body = await asyncio.to_thread(
                kiosk.post,
                "/budgeting/live/kiosk/cast/",
                {"token": token, "key": key(), "projects": [project.pk]},
            )
            answered = time.monotonic()
            assert (status, body) == (200, {"ok": True, "created": True})
            update = await next_message(viewer, lambda m: m["data"].get("ballots") == 1)
            # A delta, or a fresh snapshot if the state it would build on was dropped.
            assert update["type"] in {"delta", "snapshot"} and update["seq"] > snapshot["seq"]
            assert update["data"]["by_channel"]["in_person"] == 1
            return time.monotonic() - answered

    assert asyncio.run(scenario()) < 1.0


def test_the_kiosk_socket_of_a_real_server_delivers_the_token(asgi_server):
    process = process_create()
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, credential = tablet_make(session, connected=False)

    async def scenario():
        uri = f"{asgi_server.ws_url}/ws/live/kiosk/"
        headers = {"Cookie": f"pb_live_device={credential}"}
        async with connect(uri, origin=asgi_server.url, additional_headers=headers) as ws:
            first = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert first["data"]["token"] is None
            _result, token = await asyncio.to_thread(checkin, session, facilitator, tablet=tablet)
            update = await next_message(ws, lambda m: m["data"].get("token"))
            assert update["data"]["token"]["token"] == token
            await asyncio.to_thread(services.session_close, actor=facilitator, session=session)
            closed = await next_message(ws, lambda m: m["data"]["session"]["state"] == "closed")
            assert closed["data"]["token"] is None
            await asyncio.wait_for(ws.wait_closed(), 5)
            return ws.close_code

    assert asyncio.run(scenario()) == 4410
