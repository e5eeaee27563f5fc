"""The motion votes on the live fast path (live/fastpath.py): a member's vote and a room
tablet's vote are answered in the vote pool through the whole middleware chain, with the same
checks as Django's own path (session login, CSRF, device cookie, policy)."""

import urllib.parse

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator
from django.core.asgi import get_asgi_application
from django.test import Client

from assemblies.motions import services
from assemblies.motions.consumers import DEVICE_COOKIE
from assemblies.motions.models import Participation, Vote
from config.asgi import FAST_ROUTES
from live.fastpath import FastPath
from tests.motions.factories import motion_make, setup

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = "a" * 32  # a CSRF secret as the pages' cookie carries it


@pytest.fixture
def app(settings):
    settings.PB_LIVE_CAST_THREADS = 2  # the pool (this module's data is committed)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.stamp.Stamp"]
    return FastPath(get_asgi_application(), FAST_ROUTES)


@pytest.fixture
def world(db):
    s = setup(members=2)
    motion = motion_make(s["meeting"], s["chair"])
    member, in_room = s["voters"]
    browser = Client()
    browser.force_login(member)
    code = services.pairing_code(actor=s["chair"], meeting=s["meeting"])
    tablet, credential = services.tablet_pair(code=code)
    services.token_issue(actor=s["chair"], motion=motion, tablet=tablet, user=in_room)
    token = services.kiosk_state(tablet)["token"]["token"]
    return {
        "motion": motion,
        "session": browser.cookies["sessionid"].value,
        "credential": credential,
        "token": token,
        "outsider": s["outsider"],
    }


def headers(*, session="", device="", csrf=CSRF):
    cookies = [f"csrftoken={CSRF}"]
    if session:
        cookies.append(f"sessionid={session}")
    if device:
        cookies.append(f"{DEVICE_COOKIE}={device}")
    pairs = [
        (b"host", b"testserver"),
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"accept", b"application/json"),
        (b"cookie", "; ".join(cookies).encode()),
    ]
    if csrf:
        pairs.append((b"x-csrftoken", csrf.encode()))
    return pairs


async def post(app, path, form, pairs, method="POST"):
    body = urllib.parse.urlencode(form).encode()
    comm = HttpCommunicator(app, method, path, body=body, headers=pairs)
    response = await comm.get_response(timeout=10)
    response["headers"] = {k.decode().lower(): v.decode() for k, v in response["headers"]}
    return response


def member_vote(world) -> str:
    return f"/motions/{world['motion'].pk}/vote/"


KIOSK_VOTE = "/motions/kiosk/vote/"


async def votes() -> int:
    return await database_sync_to_async(Participation.objects.count)()


@pytest.mark.asyncio
async def test_a_members_vote_runs_the_middleware_chain_in_the_vote_pool(app, world):
    answer = await post(
        app, member_vote(world), {"choice": "yes"}, headers(session=world["session"])
    )
    assert answer["status"] == 200, answer["body"]
    assert b'"ok": true' in answer["body"]
    assert answer["headers"]["x-stamped-in"].startswith("live-vote")  # the fast path's thread
    assert answer["headers"]["x-frame-options"] == "DENY"
    assert answer["headers"]["x-content-type-options"] == "nosniff"
    again = await post(app, member_vote(world), {"choice": "no"}, headers(session=world["session"]))
    assert again["status"] == 400 and "already voted" in again["body"].decode()
    assert await votes() == 1


@pytest.mark.asyncio
async def test_a_room_tablets_vote_runs_the_middleware_chain_and_counts_once(app, world):
    form = {"choice": "abstain", "token": world["token"]}
    answer = await post(app, KIOSK_VOTE, form, headers(device=world["credential"]))
    assert answer["status"] == 200, answer["body"]
    assert answer["headers"]["x-stamped-in"].startswith("live-vote")
    assert "no-cache" in answer["headers"]["cache-control"]  # the view's never_cache
    replay = await post(app, KIOSK_VOTE, form, headers(device=world["credential"]))
    assert replay["status"] == 400
    assert await database_sync_to_async(Vote.objects.get)() is not None
    assert await votes() == 1


@pytest.mark.asyncio
async def test_csrf_is_refused_without_a_token_or_with_a_wrong_one(app, world):
    for csrf in ("", "b" * 32):
        member = await post(
            app, member_vote(world), {"choice": "yes"}, headers(session=world["session"], csrf=csrf)
        )
        assert member["status"] == 403
        tablet = await post(
            app,
            KIOSK_VOTE,
            {"choice": "yes", "token": world["token"]},
            headers(device=world["credential"], csrf=csrf),
        )
        assert tablet["status"] == 403
    assert await votes() == 0


@pytest.mark.asyncio
async def test_login_device_cookie_and_policy_are_checked(app, world):
    anonymous = await post(app, member_vote(world), {"choice": "yes"}, headers())
    assert anonymous["status"] == 302 and "/accounts/login/" in anonymous["headers"]["location"]
    unpaired = await post(app, KIOSK_VOTE, {"choice": "yes", "token": world["token"]}, headers())
    assert unpaired["status"] == 400 and b"not paired" in unpaired["body"]
    browser = Client()
    await database_sync_to_async(browser.force_login)(world["outsider"])
    refused = await post(
        app,
        member_vote(world),
        {"choice": "yes"},
        headers(session=browser.cookies["sessionid"].value),
    )
    assert refused["status"] == 403
    assert await votes() == 0


@pytest.mark.asyncio
async def test_other_methods_on_the_urls_go_through_django(app, world):
    for path in (member_vote(world), KIOSK_VOTE):
        answer = await post(app, path, {}, headers(session=world["session"]), method="GET")
        assert answer["status"] == 405
        assert "x-stamped-in" in answer["headers"]
        assert not answer["headers"]["x-stamped-in"].startswith("live-vote")


def test_the_route_table_takes_only_the_vote_urls(settings):
    app = FastPath(get_asgi_application(), FAST_ROUTES)

    def takes(path, method="POST"):
        return app.takes({"type": "http", "method": method, "path": path, "root_path": ""})

    assert takes("/motions/12/vote/") and takes("/motions/kiosk/vote/")
    assert takes("/budgeting/live/kiosk/cast/")
    assert not takes("/motions/12/vote/", method="GET")
    assert not takes("/motions/12/vote/extra/") and not takes("/motions/x/vote/")
    assert not takes("/motions/12/open/") and not takes("/motions/kiosk/pair/")
