"""WhiteNoise in Django's async chain: static files served, everything else passed straight on."""

import asyncio

import pytest
from asgiref.sync import iscoroutinefunction
from django.http import HttpResponse
from django.test import RequestFactory

from config.staticfiles import AsyncWhiteNoiseMiddleware


@pytest.fixture
def finders(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = False
    settings.STATIC_ROOT = None  # only the finders: no collectstatic needed


def test_in_an_async_chain_it_is_a_coroutine_and_serves_static_files(finders):
    calls = []

    async def view(request):
        calls.append(request.path)
        return HttpResponse("page")

    middleware = AsyncWhiteNoiseMiddleware(view)
    assert iscoroutinefunction(middleware)
    static = asyncio.run(middleware(RequestFactory().get("/static/css/site.css")))
    assert static.status_code == 200 and "text/css" in static["Content-Type"]
    page = asyncio.run(middleware(RequestFactory().get("/budgeting/")))
    assert page.content == b"page" and calls == ["/budgeting/"]


def test_in_a_sync_chain_it_behaves_like_whitenoise(finders):
    middleware = AsyncWhiteNoiseMiddleware(lambda request: HttpResponse("page"))
    assert not iscoroutinefunction(middleware)
    assert middleware(RequestFactory().get("/static/css/site.css")).status_code == 200
    assert middleware(RequestFactory().get("/claims/")).content == b"page"
