"""Failed logins slow the guesser (per account-and-address pair, and per address) with a
back-off that grows, and never lock the account's owner out from their own address."""

import pytest
import time_machine
from django.urls import reverse

from tests.citizens.factories import PASSWORD, user_create

pytestmark = pytest.mark.django_db

OWNER_ADDRESS = "198.51.100.7"
STRANGER_ADDRESS = "203.0.113.9"
REFUSED = "Too many failed login attempts"


def login(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_stranger_guessing_from_elsewhere_does_not_lock_the_owner_out(client):
    owner = user_create(email="owner@example.org")
    for _ in range(12):
        login(client, owner.email, "wrong-guess", STRANGER_ADDRESS)
    assert REFUSED in login(client, owner.email, PASSWORD, STRANGER_ADDRESS).content.decode()
    response = login(client, owner.email, PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 302 and logged_in(client)


def test_the_guessers_wait_doubles_with_every_further_failure(client):
    user = user_create(email="target@example.org")
    with time_machine.travel("2026-05-01 10:00:00Z", tick=False) as clock:
        for _ in range(5):  # the 5th failure closes the pair for 30 s
            login(client, user.email, "wrong-guess", STRANGER_ADDRESS)
        assert REFUSED in login(client, user.email, PASSWORD, STRANGER_ADDRESS).content.decode()
        clock.shift(31)
        assert REFUSED not in login(client, user.email, "wrong", STRANGER_ADDRESS).content.decode()
        clock.shift(59)  # the 6th failure closed it for 60 s
        assert REFUSED in login(client, user.email, PASSWORD, STRANGER_ADDRESS).content.decode()
        clock.shift(2)
        assert login(client, user.email, PASSWORD, STRANGER_ADDRESS).status_code == 302
        assert logged_in(client)


def test_an_address_guessing_many_accounts_is_slowed_for_all_of_them(client, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 10
    user = user_create(email="someone@example.org")
    for n in range(10):
        login(client, f"guess{n}@example.org", "wrong-guess", STRANGER_ADDRESS)
    assert REFUSED in login(client, user.email, PASSWORD, STRANGER_ADDRESS).content.decode()
    assert login(client, user.email, PASSWORD, OWNER_ADDRESS).status_code == 302
