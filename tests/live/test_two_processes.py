"""Scale-out: two ASGI server processes share PostgreSQL and Redis. A dashboard and a public
viewer connected to one see, within a second, a ballot cast through the other."""

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from websockets.asyncio.client import connect

from budgeting.models import Process
from conftest import free_port
from tests.budgeting.factories import key, process_create, project_create
from tests.live.kiosk_http import KioskHttp
from tests.live_voting.factories import checkin, facilitator_create, session_make, tablet_make

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = settings.DATABASES["default"]  # pytest-django has pointed NAME at the test database
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    """``python -m uvicorn config.asgi:application`` on a free loopback port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--lifespan",
                "off",
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode()[-2000:])
            try:
                with urllib.request.urlopen(self.url + "/budgeting/live/kiosk/", timeout=1):  # noqa: S310
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"uvicorn on {self.port} did not start")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture
def two_servers():
    servers = [Server(), Server()]
    try:
        yield [s.wait_ready() for s in servers]
    finally:
        for server in servers:
            server.stop()


def test_a_ballot_cast_through_one_process_reaches_sockets_on_the_other(two_servers):
    first, second = two_servers
    process = process_create(live_results=Process.LiveResults.FULL)
    project = project_create(process, cost=10_000)
    facilitator = facilitator_create()
    session = session_make(process, facilitators=[facilitator])
    tablet, credential = tablet_make(session)
    _result, token = checkin(session, facilitator, tablet=tablet)
    browser = Client()
    browser.force_login(facilitator)  # a session row both servers can read
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    kiosk = KioskHttp(second.url, credential)
    kiosk.open_kiosk()

    async def scenario():
        dashboard_uri = f"ws://127.0.0.1:{first.port}/ws/live/sessions/{session.pk}/"
        public_uri = f"ws://127.0.0.1:{first.port}/ws/live/processes/{process.pk}/"
        async with (
            connect(dashboard_uri, origin=first.url, additional_headers={"Cookie": cookie}) as ws,
            connect(public_uri, origin=first.url) as viewer,
        ):
            for socket in (ws, viewer):
                assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "snapshot"
            status, body = await asyncio.to_thread(
                kiosk.post,
                "/budgeting/live/kiosk/cast/",
                {"token": token, "key": key(), "projects": [project.pk]},
            )
            answered = time.monotonic()
            assert (status, body) == (200, {"ok": True, "created": True})

            async def until(socket, predicate):
                while True:
                    message = json.loads(await socket.recv())
                    if predicate(message["data"]):
                        return time.monotonic() - answered

            return await asyncio.wait_for(
                asyncio.gather(
                    until(ws, lambda d: (d.get("ballots") or {}).get("in_person") == 1),
                    until(viewer, lambda d: d.get("ballots") == 1),
                ),
                timeout=5,
            )

    delays = asyncio.run(scenario())
    assert max(delays) < 1.0, delays
