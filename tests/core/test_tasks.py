"""Tasks on the database backend, run by a real worker pass (core's db_worker)."""

import pytest
from django.core import mail
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from citizens.rules import Role
from core.emails import email_send
from core.tasks import PermanentError, background
from tests.citizens.factories import group_create, user_create
from tests.core.backends import RefusingBackend

pytestmark = pytest.mark.django_db(transaction=True)


@background(retries=[0, 0])
def refuse_permanently() -> None:
    raise PermanentError("bad input")


def test_an_enqueued_email_waits_in_the_database_until_a_worker_sends_it(
    database_tasks, run_worker
):
    result = email_send.enqueue(subject="Hi", body="Hello", to=["a@example.org"])
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
    assert mail.outbox == []
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL and len(row.worker_ids) == 1
    assert [m.subject for m in mail.outbox] == ["Hi"]


def test_a_refused_email_leaves_the_request_alone_is_retried_and_shown_failed_to_admins(
    database_tasks, run_worker, client
):
    database_tasks.EMAIL_BACKEND = "tests.core.backends.RefusingBackend"
    database_tasks.TASK_RETRY_DELAYS = [0, 0]  # three tries, at once, for the test
    RefusingBackend.attempts = 0
    rep = user_create()
    group = group_create(representative=rep)
    client.force_login(rep)

    response = client.post(
        reverse("citizens:group-detail", args=[group.pk]),
        {"action": "invite", "email": "friend@example.org"},
    )
    # The request succeeds without speaking to the mail server: the email is a queued row.
    assert response.status_code == 302
    assert RefusingBackend.attempts == 0
    row = DBTaskResult.objects.get()
    assert row.status == TaskResultStatus.READY and row.task_name == "email_send"

    run_worker()
    row.refresh_from_db()
    assert RefusingBackend.attempts == 3
    assert row.status == TaskResultStatus.FAILED and len(row.worker_ids) == 3
    assert row.exception_class_path == "smtplib.SMTPRecipientsRefused"

    client.force_login(user_create(roles=[Role.ADMINISTRATOR]))
    page = client.get(
        "/django-admin/django_tasks_database/dbtaskresult/", {"outcome": "failed"}
    ).content.decode()
    assert "email_send" in page and "failed after every try" in page
    assert "SMTPRecipientsRefused" in page


def test_a_failed_try_goes_back_to_the_queue_with_its_error_until_the_delays_run_out(
    database_tasks, run_worker
):
    database_tasks.EMAIL_BACKEND = "tests.core.backends.RefusingBackend"
    database_tasks.TASK_RETRY_DELAYS = [3600]
    result = email_send.enqueue(subject="Hi", body="Hello", to=["a@example.org"])
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    # Tried once, waiting an hour for the next try, the error kept on the row.
    assert row.status == TaskResultStatus.READY and len(row.worker_ids) == 1
    assert "SMTPRecipientsRefused" in row.traceback
    assert not DBTaskResult.objects.ready().exists()


def test_a_permanent_error_is_not_tried_again(database_tasks, run_worker):
    result = refuse_permanently.enqueue()
    run_worker()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED and len(row.worker_ids) == 1


def test_an_administrator_can_queue_a_failed_task_again(database_tasks, run_worker, client):
    result = refuse_permanently.enqueue()
    run_worker()
    client.force_login(user_create(roles=[Role.ADMINISTRATOR]))
    response = client.post(
        "/django-admin/django_tasks_database/dbtaskresult/",
        {"action": "try_again", "_selected_action": [result.id]},
    )
    assert response.status_code == 302
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
