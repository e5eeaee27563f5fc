import pytest
from django.db import connection, transaction
from django.db.utils import InternalError

from audit.models import AppendOnlyError, AuditEntry
from audit.services import audit_log
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db


def test_audit_log_records_actor_object_and_change():
    user = user_create()
    entry = audit_log(
        actor=user,
        action="thing.change",
        obj=user,
        before={"a": 1},
        after={"a": 2},
        reason="because",
    )
    assert entry.actor == user and entry.actor_label == str(user)
    assert AuditEntry.objects.for_object(user).get() == entry
    assert (entry.before, entry.after, entry.reason) == ({"a": 1}, {"a": 2}, "because")


def test_entries_cannot_be_changed_or_deleted_through_the_orm():
    entry = audit_log(actor=None, action="x")
    assert entry.actor_label == "system"
    entry.action = "y"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().update(action="z")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.postgres
def test_postgresql_refuses_raw_updates_and_deletes():
    audit_log(actor=None, action="x")
    for sql in ("UPDATE audit_auditentry SET action = 'y'", "DELETE FROM audit_auditentry"):
        with (
            pytest.raises(InternalError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
