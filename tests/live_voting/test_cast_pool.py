"""The cast pool's threads keep their database connections between casts, although
production closes every request's connection (CONN_MAX_AGE=0 under ASGI, issue 14)."""

import threading

import pytest
from django.db import close_old_connections, connection

from citizens.models import User
from live.fastpath import keep_pool_connections


def in_a_thread(keep: bool) -> bool:
    """Run a query in a fresh thread as a cast would; is its connection still open after?"""
    still_open = []

    def cast():
        User.objects.count()
        if keep:
            keep_pool_connections()
        close_old_connections()
        still_open.append(connection.connection is not None)
        connection.close()

    thread = threading.Thread(target=cast)
    thread.start()
    thread.join()
    return still_open[0]


@pytest.mark.django_db(transaction=True)
def test_a_pool_thread_keeps_its_connection_while_request_threads_close_theirs(settings):
    settings.PB_LIVE_POOL_CONN_MAX_AGE = 300
    for db in settings.DATABASES.values():
        db["CONN_MAX_AGE"] = 0
    assert in_a_thread(keep=False) is False
    assert in_a_thread(keep=True) is True
