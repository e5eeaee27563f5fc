import pytest
from django.core import mail
from django.db import transaction
from django.utils.translation import gettext as _

from citizens.models import Notification
from core.notify import notify
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db


def test_notify_records_each_notification_in_its_recipients_language():
    english = user_create(preferred_language="en")
    italian = user_create(preferred_language="it")
    notify([english, italian], "test.done", lambda: _("Log in"), url="/x/")
    messages = dict(Notification.objects.values_list("user__preferred_language", "message"))
    assert messages == {"en": "Log in", "it": "Accedi"}


def test_notify_emails_after_commit_with_a_text_and_an_html_part(
    django_capture_on_commit_callbacks,
):
    user = user_create(display_name="Ada")
    with django_capture_on_commit_callbacks() as callbacks:
        notify([user], "test.done", "Your claim was approved.", url="/claims/1/")
        assert mail.outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    [message] = mail.outbox
    assert message.to == [user.email]
    assert "Your claim was approved." in message.body
    assert "http://127.0.0.1:8000/claims/1/" in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html" and "Your claim was approved." in html and "Ada" in html


def test_a_rolled_back_use_case_notifies_nobody():
    user = user_create()

    def use_case_that_fails():
        with transaction.atomic():
            notify([user], "test.done", "Never happened.")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        use_case_that_fails()
    assert not Notification.objects.exists() and mail.outbox == []


def test_the_actor_inactive_users_and_opted_out_users_get_no_email(
    django_capture_on_commit_callbacks,
):
    actor = user_create()
    quiet = user_create(notify_by_email=False)
    gone = user_create(is_active=False)
    reader = user_create()
    with django_capture_on_commit_callbacks(execute=True):
        notify([actor, quiet, gone, reader, None], "test.done", "Hello.", exclude=actor)
    assert set(Notification.objects.values_list("user", flat=True)) == {quiet.pk, reader.pk}
    assert [m.to for m in mail.outbox] == [[reader.email]]


def test_in_app_only_notifications_send_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify([user_create()], "test.done", "Hello.", email=False)
    assert Notification.objects.count() == 1 and mail.outbox == []
