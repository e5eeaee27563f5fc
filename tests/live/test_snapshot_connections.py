"""The broadcaster's worker threads keep their database connections between snapshots, as the
vote pool's threads do, although production closes every request's (CONN_MAX_AGE=0)."""

import threading

import pytest
from django.db import connection

from citizens.models import User
from live import broadcast


def _backends(settings, max_age: int) -> list:
    """The connection each of two snapshots used, built one after the other in one thread."""
    settings.PB_LIVE_POOL_CONN_MAX_AGE = max_age
    for db in settings.DATABASES.values():
        db["CONN_MAX_AGE"] = 0
    used = []

    def build(pk):
        User.objects.count()
        used.append(connection.connection)
        return {"users": pk}, 0.0

    broadcast.register_snapshot_builder("connections-test", build)

    built = []

    def worker():
        try:
            built.extend(broadcast.build_snapshot("connections-test", pk)[0] for pk in (1, 2))
        finally:
            connection.close()

    try:
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join()
    finally:
        broadcast._builders.pop("connections-test", None)
    assert built == [{"users": 1}, {"users": 2}]
    return used


@pytest.mark.django_db(transaction=True)
def test_a_worker_thread_builds_its_snapshots_on_one_connection(settings):
    first, second = _backends(settings, max_age=300)
    assert first is not None and first is second


@pytest.mark.django_db(transaction=True)
def test_with_no_pool_age_each_snapshot_opens_its_own(settings):
    first, second = _backends(settings, max_age=0)
    assert first is not second
