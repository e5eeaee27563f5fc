"""The cast's ASGI fast path: same answers and the same security checks as Django's chain."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator
from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

from budgeting.live.models import BallotToken
from budgeting.models import Ballot
from config.asgi import FAST_ROUTES, application
from live.fastpath import FastPath
from tests.budgeting.factories import key
from tests.live_voting.factories import ready_to_cast

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

CAST = "/budgeting/live/kiosk/cast/"
CSRF = "a" * 32  # a CSRF secret as the kiosk page's cookie carries it


@pytest.fixture
def world(db):
    project, _tablet, credential, token, _facilitator = ready_to_cast()
    return project, credential, token


def headers(credential="", *, csrf=CSRF, host="testserver", origin=None, language=None):
    cookies = [f"csrftoken={CSRF}"]
    if credential:
        cookies.append(f"pb_live_device={credential}")
    pairs = [
        (b"host", host.encode()),
        (b"content-type", b"application/json"),
        (b"cookie", "; ".join(cookies).encode()),
    ]
    if csrf:
        pairs.append((b"x-csrftoken", csrf.encode()))
    if origin:
        pairs.append((b"origin", origin.encode()))
    if language:
        pairs.append((b"accept-language", language.encode()))
    return pairs


async def post(body, pairs, method="POST", path=CAST, app=application):
    comm = HttpCommunicator(app, method, path, body=body, headers=pairs)
    response = await comm.get_response(timeout=10)
    response["headers"] = {k.decode().lower(): v.decode() for k, v in response["headers"]}
    return response


def ballot(project, token, k=None):
    return json.dumps({"token": token, "key": k or key(), "projects": [project.pk]}).encode()


async def count(model, **filters):
    # database_sync_to_async closes its connection (acount() would leave one open).
    return await database_sync_to_async(model.objects.filter(**filters).count)()


async def test_a_cast_is_answered_with_the_views_headers_and_counted_once(world):
    project, credential, token = world
    body = ballot(project, token)
    first = await post(body, headers(credential, origin="http://testserver"))
    assert first["status"] == 200
    assert json.loads(first["body"]) == {"ok": True, "created": True}
    assert first["headers"]["x-content-type-options"] == "nosniff"
    assert first["headers"]["x-frame-options"] == "DENY"
    assert "no-cache" in first["headers"]["cache-control"]
    again = await post(body, headers(credential))
    assert json.loads(again["body"]) == {"ok": True, "created": False}
    assert await count(Ballot) == 1


async def test_the_csrf_token_and_origin_are_checked(world):
    project, credential, token = world
    missing = await post(ballot(project, token), headers(credential, csrf=""))
    assert missing["status"] == 403
    wrong = await post(ballot(project, token), headers(credential, csrf="b" * 32))
    assert wrong["status"] == 403
    foreign = await post(ballot(project, token), headers(credential, origin="https://evil.test"))
    assert foreign["status"] == 403
    assert await count(Ballot) == 0
    assert await count(BallotToken, state=BallotToken.State.ISSUED) == 1


async def test_unknown_hosts_huge_bodies_and_unpaired_tablets_are_refused(world):
    project, credential, token = world
    assert (await post(ballot(project, token), headers(credential, host="evil.test")))[
        "status"
    ] == 400
    huge = json.dumps({"token": token, "key": key(), "projects": [1] * 50_000}).encode()
    too_big = await post(huge, headers(credential))
    assert too_big["status"] == 413 and json.loads(too_big["body"])["ok"] is False
    unpaired = await post(ballot(project, token), headers())
    assert unpaired["status"] == 401 and json.loads(unpaired["body"])["code"] == "unpaired"
    malformed = await post(b"{not json", headers(credential))
    assert malformed["status"] == 422
    assert await count(Ballot) == 0


async def test_refusals_speak_the_tablets_language(world):
    _project, _credential, _token = world
    answer = await post(b"{}", headers(language="it"))
    assert answer["status"] == 401
    assert json.loads(answer["body"])["errors"] == ["Questo tablet non è abbinato."]


async def test_other_methods_on_the_url_go_through_django(world):
    answer = await post(b"", headers(), method="GET")
    assert answer["status"] == 405


class AsyncOnly:
    sync_capable = False
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response

    async def __call__(self, request):
        return await self.get_response(request)


async def test_a_middleware_added_to_the_setting_runs_on_the_fast_path(world, settings):
    project, credential, token = world
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.stamp.Stamp"]
    app = FastPath(get_asgi_application(), FAST_ROUTES)
    answer = await post(ballot(project, token), headers(credential), app=app)
    assert json.loads(answer["body"]) == {"ok": True, "created": True}
    assert answer["headers"]["x-stamped-in"].startswith("live-vote")  # the fast path's thread


async def test_a_middleware_that_cannot_run_synchronously_stops_the_fast_path_at_start(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.AsyncOnly"]
    with pytest.raises(ImproperlyConfigured, match="AsyncOnly"):
        FastPath(get_asgi_application(), FAST_ROUTES)
