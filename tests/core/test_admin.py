"""Records that change only through their services are read-only in the Django admin."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from core.admin import ReadOnlyAdminMixin
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db

READ_ONLY = [
    "accords.Accord",
    "accords.AccordVersion",
    "accords.Signature",
    "audit.AuditEntry",
    "budgeting.Ballot",
    "budgeting.Participation",
    "budgeting.Result",
    "pb_live.VotingSession",
    "pb_live.BallotToken",
    "proposals.Claim",
]


def read_only_admins():
    return {
        f"{model._meta.app_label}.{model.__name__}": model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ReadOnlyAdminMixin)
    }


def test_the_service_only_records_use_the_one_read_only_mixin():
    assert set(READ_ONLY) <= set(read_only_admins())


def test_not_even_a_superuser_adds_changes_or_deletes_them():
    request = RequestFactory().get("/")
    request.user = user_create(is_superuser=True, is_staff=True)
    for name, model_admin in read_only_admins().items():
        assert not model_admin.has_add_permission(request), name
        assert not model_admin.has_change_permission(request), name
        assert not model_admin.has_delete_permission(request), name
        assert model_admin.has_view_permission(request), name
        for inline in model_admin.get_inline_instances(request):
            assert not inline.has_add_permission(request, None), (name, inline)


def test_their_lists_still_open_for_a_superuser(client):
    client.force_login(user_create(is_superuser=True, is_staff=True))
    for name in READ_ONLY:
        app_label, model = name.lower().split(".")
        response = client.get(f"/django-admin/{app_label}/{model}/")
        assert response.status_code == 200, name
        assert f"/{app_label}/{model}/add/" not in response.content.decode(), name
