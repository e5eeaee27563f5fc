"""Every email the project sends: the site's name and address, never example.com, a text and
an HTML part, in the recipient's language."""

from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from django.core import mail
from django.utils import timezone, translation

from core.emails import email_render
from core.notify import notify
from tests.citizens.factories import group_create, user_create

pytestmark = pytest.mark.django_db

ALLAUTH_TEMPLATES = Path(allauth.__file__).parent / "templates"
ALLAUTH_EMAILS = sorted(
    f"{folder}/email/{path.name.removesuffix('_subject.txt')}"
    for folder in ("account", "mfa")
    for path in (ALLAUTH_TEMPLATES / folder / "email").glob("*_subject.txt")
)


def allauth_context(user):
    return {
        "user": user,
        "activate_url": "http://127.0.0.1:8000/accounts/confirm-email/key/",
        "key": "key",
        "code": "123456",
        "password_reset_url": "http://127.0.0.1:8000/accounts/password/reset/key/1-x/",
        "signup_url": "http://127.0.0.1:8000/accounts/signup/",
        "from_email": "old@example.org",
        "to_email": "new@example.org",
        "deleted_email": "old@example.org",
        "ip": "127.0.0.1",
        "user_agent": "Firefox",
        "timestamp": timezone.now(),
        "username": "",
    }


def assert_in_the_sites_voice(message):
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    for part in (message.subject, message.body, html):
        assert "example.com" not in part
    assert "PartnerCity" in message.subject
    assert "http://127.0.0.1:8000/" in message.body and "http://127.0.0.1:8000/" in html


def test_the_project_sends_allauths_account_and_security_emails():
    assert "account/email/email_confirmation_signup" in ALLAUTH_EMAILS
    assert "account/email/password_reset_key" in ALLAUTH_EMAILS
    assert any(name.startswith("mfa/") for name in ALLAUTH_EMAILS)


@pytest.mark.parametrize("prefix", ALLAUTH_EMAILS)
def test_every_allauth_email_speaks_for_the_site_with_an_html_part(prefix):
    user = user_create()
    get_adapter().send_mail(prefix, user.email, allauth_context(user))
    [message] = mail.outbox
    assert message.to == [user.email]
    assert_in_the_sites_voice(message)


def test_allauth_emails_follow_the_recipients_language():
    user = user_create(preferred_language="it")
    with translation.override("en"):
        get_adapter().send_mail(
            "account/email/password_reset_key", user.email, allauth_context(user)
        )
    with translation.override("it"):
        expected = get_adapter().render_mail(
            "account/email/password_reset_key", user.email, allauth_context(user)
        )
    assert mail.outbox[0].subject == expected.subject != "[PartnerCity] Password Reset Email"


def test_the_notification_email_speaks_for_the_site(django_capture_on_commit_callbacks):
    user = user_create()
    with django_capture_on_commit_callbacks(execute=True):
        notify([user], "test.done", "Your claim moved on.", url="/claims/1/")
    [message] = mail.outbox
    assert_in_the_sites_voice(message)


def test_the_group_invitation_email_speaks_for_the_site(django_capture_on_commit_callbacks):
    from citizens.services import group_invite

    rep = user_create(display_name="Rita")
    group = group_create(representative=rep)
    with django_capture_on_commit_callbacks(execute=True):
        group_invite(actor=rep, group=group, email="friend@example.org")
    [message] = mail.outbox
    assert_in_the_sites_voice(message)
    assert "Rita" in message.body and group.name in message.subject


def test_templates_render_in_the_language_asked_for():
    message = email_render(
        "notification",
        {"user": user_create(display_name="Ada"), "message": "x", "link": ""},
        to=["a@example.org"],
        language="it",
    )
    html, _mime = message.alternatives[0]
    assert '<html lang="it">' in html
