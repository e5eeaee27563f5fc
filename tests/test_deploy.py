import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 20 + "-dummy-production-secret-for-the-check-0123456789abcdef",
        "CENSUS_HMAC_KEY": "c" * 40,
        "ALLOWED_HOSTS": "partnercity.example.org",
        "DATABASE_URL": "postgres://user:pass@db.invalid:5432/partnercity",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "WAGTAILADMIN_BASE_URL": "https://partnercity.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
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
        except Exception as exc:  # noqa: BLE001 - the failure under test
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
