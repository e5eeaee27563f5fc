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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_trusted_connection_that_died_is_retried_on_a_fresh_one_not_answered_500(settings):
    """A pool connection used within TRUSTED_FOR skips the health check; if the database
    dropped it meanwhile (a restart), the vote is answered on a fresh connection, not with
    a 500 (nothing had committed on the dead one)."""
    from django.db import DatabaseError, connections
    from django.http import HttpResponse, HttpResponseServerError

    from live.fastpath import vote_pool_call

    settings.PB_LIVE_POOL_CONN_MAX_AGE = 300
    calls, pids = [], []

    def handler():  # as Django's handler does: a database error becomes a 500 response
        calls.append(1)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            User.objects.count()
        except DatabaseError:
            return HttpResponseServerError()
        return HttpResponse("counted")

    vote = vote_pool_call(handler)
    statuses = []

    def twice():
        statuses.append(vote().status_code)
        # Another session ends the pool thread's backend, as a database restart would.
        admin = connections.create_connection("default")
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pids[-1]])
        admin.close()
        statuses.append(vote().status_code)
        connection.close()

    thread = threading.Thread(target=twice)
    thread.start()
    thread.join()
    assert statuses == [200, 200]
    assert len(calls) == 3  # the second vote failed once on the dead connection, then retried
    assert len(pids) == 2 and pids[1] != pids[0]  # the retry ran on a new connection
