import re

import pytest
from django.core import mail
from django.urls import reverse

from citizens.models import User
from tests.citizens.factories import PASSWORD, user_create

pytestmark = pytest.mark.django_db


def _signup(client, email="new@example.org", password="a-Long-and-unusual-phrase-42"):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": password,
            "password2": password,
            "display_name": "Newbie",
            "preferred_language": "it",
        },
    )


def test_signup_sends_a_confirmation_link_that_enables_login(client):
    response = _signup(client)
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.preferred_language == "it"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body

    # Before confirming, login is refused with a pointer to the email.
    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "new@example.org", "password": "a-Long-and-unusual-phrase-42"},
    )
    assert "_auth_user_id" not in client.session

    response = client.post(link.group(1))
    assert response.status_code == 302
    response = client.post(
        reverse("account_login"),
        {"login": "new@example.org", "password": "a-Long-and-unusual-phrase-42"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_refuses_a_weak_password(client):
    response = _signup(client, password="password1")
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.org").exists()
    assert "too common" in response.content.decode()


def test_signup_refuses_an_email_already_used_in_another_case(client):
    user_create(email="taken@example.org")
    _signup(client, email="TAKEN@example.org")
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_login_is_throttled_after_repeated_failures(client):
    user_create(email="victim@example.org")
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": "victim@example.org", "password": "wrong-guess"}
        )
        assert response.status_code == 200
    # Even the right password is refused now, with a clear message.
    response = client.post(
        reverse("account_login"), {"login": "victim@example.org", "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_profile_edit_saves_language_and_notification_preference(client):
    user = user_create()
    client.force_login(user)
    response = client.post(
        reverse("citizens:profile"),
        {
            "display_name": "Renamed",
            "preferred_language": "it",
            "notify_by_email": "",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language, user.notify_by_email) == (
        "Renamed",
        "it",
        False,
    )
    assert response.cookies["django_language"].value == "it"


def test_account_deletion_needs_the_password_and_anonymises(client):
    from tests.citizens.factories import group_create, resident_create

    user = resident_create(email="leaving@example.org")
    group_create(representative=user_create(), members=[user])
    client.force_login(user)
    response = client.post(
        reverse("citizens:account-delete"), {"password": "wrong", "confirm": "on"}
    )
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).is_active

    response = client.post(
        reverse("citizens:account-delete"), {"password": PASSWORD, "confirm": "on"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.is_anonymised
    assert "leaving" not in user.email
    assert user.census_record_id is None
    assert not user.memberships.exists()
    assert str(user) == "Deleted user"


def test_language_switch_sets_cookie_and_preference(client):
    user = user_create()
    client.force_login(user)
    response = client.post(reverse("citizens:language-set"), {"language": "it", "next": "/me/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "it"
    page = client.get("/me/")
    assert "Il tuo profilo" in page.content.decode()
