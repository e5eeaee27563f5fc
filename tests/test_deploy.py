import contextlib
import os
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 20 + "-dummy-production-secret-for-the-check-0123456789abcdef",
    "CENSUS_HMAC_KEY": "c" * 40,
    "ALLOWED_HOSTS": "partnercity.example.org,127.0.0.1",
    "DATABASE_URL": "postgres://user:pass@db.invalid:5432/partnercity",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "WAGTAILADMIN_BASE_URL": "https://partnercity.example.org",
}


def production_setting(expression: str, **env) -> subprocess.CompletedProcess:
    """Evaluate ``expression`` in a fresh interpreter under the production settings."""
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_deploy(**env) -> subprocess.CompletedProcess:
    """`manage.py check --deploy` under the production settings, with `env` on top."""
    environment = {**os.environ, **PRODUCTION_ENV, **env}
    environment = {k: v for k, v in environment.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy(SITE_URL="https://partnercity.example.org")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secrets():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "CENSUS_HMAC_KEY", "DATABASE_URL")
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_fails_without_the_sites_address():
    result = check_deploy(SITE_URL=None)
    assert result.returncode != 0
    assert "core.E001" in result.stdout + result.stderr


@pytest.mark.django_db(transaction=True)
def test_concurrent_sqlite_writers_wait_for_each_other_instead_of_failing():
    """Two transactions that read then write: SQLite's default DEFERRED mode answers the second
    one "database is locked" at once (a lock-upgrade deadlock the busy timeout cannot wait out);
    IMMEDIATE transactions queue on the busy timeout and both commit."""
    from django.db import connection, connections, transaction

    from citizens.models import Department

    if connection.vendor != "sqlite":
        pytest.skip("the embedded default's SQLite settings; PostgreSQL locks rows instead")
    both_read = threading.Barrier(2)
    errors = []

    def read_then_write(name):
        try:
            with transaction.atomic():
                Department.objects.count()
                with contextlib.suppress(threading.BrokenBarrierError):
                    # Under IMMEDIATE the other writer waits at BEGIN and never arrives here.
                    both_read.wait(timeout=2)
                Department.objects.create(name=name, slug=name.lower())
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=read_then_write, args=(f"D{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Department.objects.count() == 2
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_production_closes_database_connections_after_each_request_by_default():
    result = production_setting("settings.DATABASES['default']['CONN_MAX_AGE']")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"


def test_production_refuses_persistent_connections_without_a_pooler():
    result = production_setting("settings.DATABASES['default']['CONN_MAX_AGE']", CONN_MAX_AGE="60")
    assert result.returncode != 0
    assert "DATABASE_POOLER=pgbouncer" in result.stderr
    behind_pgbouncer = production_setting(
        "settings.DATABASES['default']['CONN_MAX_AGE'], "
        "settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS']",
        CONN_MAX_AGE="60",
        DATABASE_POOLER="pgbouncer",
    )
    assert behind_pgbouncer.stdout.strip() == "60 True", behind_pgbouncer.stderr


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]  # pytest-django has pointed NAME at the test database
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def production_server():
    """uvicorn serving config.asgi with the production settings, against the test database."""
    from conftest import free_port

    port = free_port()
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": os.environ["REDIS_URL"],
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CONN_MAX_AGE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1"]
        + ["--port", str(port), "--log-level", "warning", "--lifespan", "off"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read().decode()[-3000:])
            try:
                with urllib.request.urlopen(url + "/api/health", timeout=2):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


def _server_connections() -> int:
    """Connections to the test database other than this test's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def _settled_connections(at_most: int) -> int:
    """The server's connection count once it has closed what its last requests opened (a
    request's connection is closed just after its response is sent)."""
    deadline = time.monotonic() + 5
    while (count := _server_connections()) > at_most and time.monotonic() < deadline:
        time.sleep(0.1)
    return count


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_production_server_does_not_keep_a_database_connection_per_request(production_server):
    def get(path):
        with urllib.request.urlopen(production_server + path, timeout=30) as response:  # noqa: S310
            assert response.status == 200

    for _ in range(30):
        get("/api/claims")
    after_30 = _settled_connections(at_most=1)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(get, ["/api/claims", "/api/processes", "/api/accords"] * 10))
    after_60 = _settled_connections(at_most=1)
    # CONN_MAX_AGE=60 left 12 idle connections after 30 requests and 23 after 60.
    assert after_30 <= 1 and after_60 <= 1, (after_30, after_60)
