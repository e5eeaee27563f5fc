"""Root fixtures: services the suite needs, and a real ASGI server for live and browser tests.

REQUIRE_SERVICES=1 (set by .ci/run) turns every "skip because X is missing" into a failure,
so CI cannot pass by skipping what it is meant to check.
"""

import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def missing(reason: str):
    """Skip with a reason, or fail when CI requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"required by CI but unavailable: {reason}")
    pytest.skip(reason)


def redis_available() -> bool:
    url = os.environ.get("REDIS_URL")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def pabulib_dir() -> Path:
    return Path(os.environ.get("PABULIB_DIR", REPO.parent / "shared" / "data" / "pabulib"))


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            missing("needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")
    if item.get_closest_marker("redis") and not redis_available():
        missing("needs Redis: set REDIS_URL=redis://127.0.0.1:6379/0 (CI does)")
    if item.get_closest_marker("e2e") and not Path(CHROMIUM).exists():
        missing(f"needs Chromium at {CHROMIUM} (apt-get install chromium; make test does)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = str(item.fspath)
        if f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.e2e)
        if f"{os.sep}live{os.sep}" in path:
            item.add_marker(pytest.mark.live)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    """A request in Italian leaves its language active in the thread; start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AsgiServer:
    """Uvicorn serving config.asgi in a thread of this process (so it sees the test DB)."""

    def __init__(self):
        import uvicorn

        from config.asgi import application

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            application,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def stop(self):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def asgi_server(transactional_db, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
    server = AsgiServer().start()
    yield server
    server.stop()
    _close_server_connections()


def _close_server_connections():
    """Connections opened by the server's worker threads outlive it; end them so the test
    database can be flushed and dropped."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def browser(monkeypatch):
    if not Path(CHROMIUM).exists():
        missing(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in the test thread; the test's own ORM calls
    # are still synchronous and sequential, so Django's async guard does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
        # While Playwright runs, the test body sees its own database connection (another
        # context than the fixtures set up before it). Close it here, in that context, before
        # `asgi_server` ends the other connections; otherwise the next test reuses it dead.
        from django.db import connections

        connections.close_all()


@pytest.fixture
def artifacts(request) -> Path:
    """Screenshots of key screens go to tests/e2e/artifacts/<test name>/ (not committed)."""
    path = REPO / "tests" / "e2e" / "artifacts" / request.node.name
    path.mkdir(parents=True, exist_ok=True)
    return path


# Background tasks: the suite runs them at once (config.settings.test); these run them the
# way production does, queued in the database and picked up by a worker pass.
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database queue instead of running at once."""
    settings.TASKS = DATABASE_TASKS
    return settings


@pytest.fixture
def run_worker():
    """Run `manage.py db_worker --batch`: every task that is due, then return."""

    def run():
        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        from django.core.management import call_command

        try:
            call_command(
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--queue-name",
                "*",
                verbosity=0,
            )
        finally:
            for sig, handler in saved.items():
                signal.signal(sig, handler)

    return run
