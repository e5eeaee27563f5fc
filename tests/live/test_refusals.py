"""What a browser sees when a real server refuses a socket or a frame (uvicorn + websockets).

A refusal during the handshake reaches a browser as close code 1006, which it cannot tell
from a network failure; these tests check that the documented codes arrive in close frames.
"""

import asyncio
import logging

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from budgeting.live import services
from budgeting.models import Process
from tests.budgeting.factories import process_create
from tests.live_voting.factories import facilitator_create, session_make, tablet_make

pytestmark = pytest.mark.django_db(transaction=True)


async def close_code(uri: str, *, origin: str, headers=None, send=None) -> int:
    """Connect as a browser would, optionally send one frame, return the close code."""
    async with connect(uri, origin=origin, additional_headers=headers or {}) as ws:
        try:
            if send is not None:
                await ws.recv()  # the snapshot every accepted socket begins with
                await ws.send(send)
            while True:
                await asyncio.wait_for(ws.recv(), 5)
        except ConnectionClosed as closed:
            frame = closed.rcvd
    assert frame is not None, "no close frame: the browser would see 1006"
    return frame.code


def test_refused_sockets_are_closed_with_the_documented_codes(asgi_server):
    hidden = process_create(live_results=Process.LiveResults.NONE)
    process = process_create()
    session = session_make(process, facilitators=[(facilitator := facilitator_create())])
    tablet, credential = tablet_make(session, connected=False)
    services.tablet_revoke(actor=facilitator, session=session, tablet=tablet)
    ws, page = asgi_server.ws_url, asgi_server.url
    device = {"Cookie": f"pb_live_device={credential}"}

    async def scenario():
        return [
            await close_code(f"{ws}/ws/live/processes/{process.pk}/", origin="http://evil.test"),
            await close_code(f"{ws}/ws/live/processes/{process.pk}/", origin="http://127.0.0.1:9"),
            await close_code(f"{ws}/ws/live/processes/{hidden.pk}/", origin=page),
            await close_code(f"{ws}/ws/live/processes/999999/", origin=page),
            await close_code(f"{ws}/ws/live/sessions/{session.pk}/", origin=page),
            await close_code(f"{ws}/ws/live/kiosk/", origin=page, headers=device),
            await close_code(f"{ws}/ws/notifications/", origin=page),
            await close_code(f"{ws}/ws/no-such-socket/", origin=page),
        ]

    assert asyncio.run(scenario()) == [4403, 4403, 4403, 4404, 4401, 4403, 4401, 4404]


def test_malformed_frames_get_a_close_code_and_a_one_line_warning(asgi_server, caplog):
    process = process_create()
    uri = f"{asgi_server.ws_url}/ws/live/processes/{process.pk}/"
    frames = [b"\x00\xff binary", "not json", "[" * 3000, '{"type": "ping", "n": 1e999}']

    async def scenario():
        return [await close_code(uri, origin=asgi_server.url, send=f) for f in frames]

    with caplog.at_level(logging.WARNING):
        assert asyncio.run(scenario()) == [1003, 1007, 1007, 1007]
    warnings = [r for r in caplog.records if r.name == "core.websocket"]
    assert len(warnings) == len(frames)
    assert all(r.levelname == "WARNING" and "\n" not in r.getMessage() for r in warnings)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


PROBE = """() => {
  const box = document.createElement("div");
  box.id = "probe";
  box.innerHTML = '<span data-live-status></span>';
  document.body.append(box);
  const texts = document.querySelector("[data-live-process]").dataset;
  window.PBLive.connect("/ws/live/processes/999999/", {
    status: window.PBLive.statusShower(box, texts),
  });
}"""


@pytest.mark.e2e
def test_a_browser_stops_reconnecting_on_a_refusal_and_says_why(asgi_server, browser):
    process = process_create(live_results=Process.LiveResults.FULL)
    page = browser.new_page()
    attempts = []
    page.on("websocket", lambda ws: attempts.append(ws.url))
    page.goto(f"{asgi_server.url}/budgeting/live/processes/{process.pk}/projector/")
    page.wait_for_selector("[data-live-status][data-state=open]")
    page.evaluate(PROBE)  # a socket to a process that does not exist
    status = page.wait_for_selector("#probe [data-live-status][data-code='4404']", timeout=10_000)
    assert status.get_attribute("data-state") == "gone"
    assert status.text_content() == "Live updates stopped: this page no longer exists."
    assert [url for url in attempts if "999999" in url] == [
        f"{asgi_server.ws_url}/ws/live/processes/999999/"
    ]
    page.close()


# A ballot whose projects nest 3,000 deep: json.loads alone raises RecursionError (a 500).
OUTBOX = """let nested = [1];
for (let i = 0; i < 3000; i += 1) nested = [nested];
window.localStorage.setItem("pb_live.outbox", JSON.stringify([
  {token: "%s", key: "malformed-0001", projects: nested, at: 0}
]));"""


@pytest.mark.e2e
def test_a_tablet_drops_a_ballot_the_server_cannot_read_instead_of_resending_it(
    asgi_server, browser
):
    process = process_create()
    session = session_make(process, facilitators=[facilitator_create()])
    _tablet, credential = tablet_make(session)
    context = browser.new_context()
    context.add_cookies([{"name": "pb_live_device", "value": credential, "url": asgi_server.url}])
    page = context.new_page()
    answers = []
    page.on(
        "response",
        lambda r: answers.append(r.status) if r.url.endswith("/kiosk/cast/") else None,
    )
    page.add_init_script(OUTBOX % ("0" * 32))  # left on the tablet, e.g. by an older page
    page.goto(f"{asgi_server.url}/budgeting/live/kiosk/")
    page.wait_for_selector("#kiosk-notice:not([hidden])")
    assert "The request is nested too deeply." in page.text_content("#kiosk-notice")
    assert page.evaluate("window.localStorage.getItem('pb_live.outbox')") == "[]"
    assert answers == [422]  # answered once, not resent
    context.close()
