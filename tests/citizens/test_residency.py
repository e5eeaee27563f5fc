import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

from citizens.models import User
from citizens.services import VerificationError, residency_verify
from tests.citizens.factories import census_person, user_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def test_matching_identity_links_account_and_shows_verified(client):
    doc, birth, record = census_person(district="Navile")
    user = user_create()
    client.force_login(user)
    response = client.post(
        reverse("citizens:residency-verify"),
        {"document_id": doc.lower(), "birth_date": birth.isoformat()},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.census_record == record and user.verified_at
    page = client.get(reverse("citizens:profile")).content.decode()
    assert "Verified" in page and "Navile" in page


def test_mismatch_is_refused_with_a_clear_message(client):
    doc, birth, _ = census_person()
    client.force_login(user_create())
    response = client.post(
        reverse("citizens:residency-verify"), {"document_id": doc, "birth_date": "1999-01-01"}
    )
    assert response.status_code == 400
    assert "No census record matches" in response.content.decode()


def test_identity_already_used_by_another_account_is_refused():
    doc, birth, record = census_person()
    user_create(census=record)
    second = user_create()
    with pytest.raises(VerificationError, match="already linked to another account"):
        residency_verify(user=second, document_id=doc, birth_date=birth)
    second.refresh_from_db()
    assert second.census_record_id is None


def test_future_birth_date_is_a_form_error(client):
    client.force_login(user_create())
    response = client.post(
        reverse("citizens:residency-verify"), {"document_id": "X", "birth_date": "2999-01-01"}
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()


def test_failed_attempts_are_throttled_per_account(client, settings):
    settings.RESIDENCY_ATTEMPTS = 3
    doc, birth, _ = census_person()
    user = user_create()
    for _ in range(3):
        with pytest.raises(VerificationError):
            residency_verify(user=user, document_id=doc, birth_date=birth.replace(year=1901))
    with pytest.raises(VerificationError, match="Too many failed attempts"):
        residency_verify(user=user, document_id=doc, birth_date=birth)  # even the right one
    client.force_login(user)
    response = client.post(
        reverse("citizens:residency-verify"), {"document_id": doc, "birth_date": birth.isoformat()}
    )
    assert response.status_code == 429


def test_failed_attempts_are_throttled_per_ip_across_accounts(settings):
    settings.RESIDENCY_ATTEMPTS = 3
    doc, birth, _ = census_person()
    for _ in range(3):
        with pytest.raises(VerificationError):
            residency_verify(
                user=user_create(), document_id="nope", birth_date=birth, ip="10.1.1.1"
            )
    with pytest.raises(VerificationError, match="Too many"):
        residency_verify(user=user_create(), document_id=doc, birth_date=birth, ip="10.1.1.1")
    # Another address is not affected.
    residency_verify(user=user_create(), document_id=doc, birth_date=birth, ip="10.1.1.2")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_accounts_claiming_one_identity_at_once_get_exactly_one_link():
    doc, birth, record = census_person()
    users = [user_create() for _ in range(6)]
    barrier = threading.Barrier(len(users))
    outcomes = []

    def attempt(user):
        try:
            barrier.wait()
            residency_verify(user=user, document_id=doc, birth_date=birth)
            outcomes.append("ok")
        except VerificationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1
    assert User.objects.filter(census_record=record).count() == 1
