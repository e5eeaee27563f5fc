"""Unsubscribe links work without a session: GET asks, POST applies; tampered and expired
tokens are refused; a mail client's one-click POST works too."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.notify import notify
from follows import tokens
from follows.models import NotificationPreference
from follows.preferences import frequencies_of
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous():
    return Client()  # no session, no login


def _path(user, kind):
    return reverse("follows:unsubscribe", args=[tokens.unsubscribe_token(user, kind)])


def test_the_link_from_an_email_asks_then_unsubscribes_without_login(
    anonymous, django_capture_on_commit_callbacks
):
    reader = user_create()
    with django_capture_on_commit_callbacks(execute=True):
        notify([reader], "claim.decided", "Approved.", url="/claims/1/")
    [message] = mail.outbox
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = anonymous.get("/" + path)
    assert page.status_code == 200 and reader.email in page.content.decode()
    assert frequencies_of(reader)["claim"] == "immediate"  # a GET changes nothing
    done = anonymous.post("/" + path, {"confirm": "1"})
    assert done.status_code == 200 and b'data-testid="unsubscribed"' in done.content
    assert frequencies_of(reader)["claim"] == "off"
    assert frequencies_of(reader)["accord"] == "immediate"


def test_one_click_post_from_a_mail_client(anonymous):
    reader = user_create()
    response = anonymous.post(_path(reader, "accord"), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert frequencies_of(reader)["accord"] == "off"


def test_the_digest_link_stops_every_email(anonymous):
    reader = user_create()
    anonymous.post(_path(reader, tokens.ALL), {"confirm": "1"})
    reader.refresh_from_db()
    assert reader.notify_by_email is False


def test_a_post_without_confirmation_changes_nothing(anonymous):
    reader = user_create()
    response = anonymous.post(_path(reader, "claim"), {})
    assert response.status_code == 200
    assert not NotificationPreference.objects.exists()


def test_a_tampered_token_is_refused(anonymous):
    reader, other = user_create(), user_create()
    token = tokens.unsubscribe_token(reader, "claim")
    value, signature = token.rsplit(":", 1)
    forged = tokens.unsubscribe_token(other, "claim").rsplit(":", 1)[0] + ":" + signature
    for bad in (token[:-2] + "xx", forged, "garbage"):
        response = anonymous.post(reverse("follows:unsubscribe", args=[bad]), {"confirm": "1"})
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_token_signed_for_something_else_is_refused(anonymous):
    from django.core import signing

    reader = user_create()
    other_salt = signing.dumps({"u": reader.pk, "k": "claim"}, salt="another.purpose")
    response = anonymous.post(reverse("follows:unsubscribe", args=[other_salt]), {"confirm": "1"})
    assert response.status_code == 400


def test_an_expired_token_is_refused(anonymous, settings):
    reader = user_create()
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        path = _path(reader, "claim")
    settings.UNSUBSCRIBE_TOKEN_MAX_AGE = 30 * 24 * 3600
    with time_machine.travel(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), tick=False):
        response = anonymous.post(path, {"confirm": "1"})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_an_unknown_kind_is_refused(anonymous):
    reader = user_create()
    response = anonymous.get(_path(reader, "gossip"))
    assert response.status_code == 400
