"""core.rows: single-row writes with SQL written once, stored exactly as the ORM stores them."""

import datetime as dt

import pytest
from django.utils import timezone

from budgeting.models import Ballot, BallotSelection, Channel
from core import rows
from tests.budgeting.factories import key, process_create, project_create

pytestmark = pytest.mark.django_db

FIELDS = ["process_id", "channel", "district", "session_id", "state", "replaces_id"]


def test_an_insert_stores_what_save_stores():
    process = process_create()
    cast_at = timezone.now() - dt.timedelta(minutes=5)
    fields = {"process": process, "channel": Channel.PAPER, "district": "Navile"}
    by_orm = Ballot(**fields, idempotency_key=key())
    by_orm.created_at = cast_at
    by_orm.save()
    ours = Ballot(**fields, idempotency_key=key())
    ours.created_at = cast_at

    assert rows.insert(ours) is ours
    assert ours.pk and ours.pk != by_orm.pk
    assert not ours._state.adding and ours._state.db == "default"
    stored, expected = Ballot.objects.get(pk=ours.pk), Ballot.objects.get(pk=by_orm.pk)
    assert [getattr(stored, f) for f in FIELDS] == [getattr(expected, f) for f in FIELDS]
    assert stored.created_at == cast_at  # an aware datetime, converted as the ORM does
    assert stored.idempotency_key == ours.idempotency_key


def test_an_insert_takes_the_models_defaults():
    process = process_create()
    before = timezone.now()
    ballot = rows.insert(Ballot(process=process, channel=Channel.PAPER, idempotency_key=key()))
    stored = Ballot.objects.get(pk=ballot.pk)
    assert stored.state == Ballot.State.COUNTED and stored.district == ""
    assert before <= stored.created_at <= timezone.now()


def test_an_update_writes_only_the_named_fields():
    process = process_create()
    ballot = rows.insert(Ballot(process=process, channel=Channel.PAPER, idempotency_key=key()))
    Ballot.objects.filter(pk=ballot.pk).update(district="Centro")  # changed by someone else
    ballot.state = Ballot.State.VOIDED
    ballot.district = "Navile"  # not named: not written
    rows.update(ballot, ["state"])
    stored = Ballot.objects.get(pk=ballot.pk)
    assert (stored.state, stored.district) == (Ballot.State.VOIDED, "Centro")


def test_an_update_of_a_row_that_is_gone_says_so():
    process = process_create()
    ballot = rows.insert(Ballot(process=process, channel=Channel.PAPER, idempotency_key=key()))
    Ballot.objects.filter(pk=ballot.pk).delete()
    with pytest.raises(Ballot.DoesNotExist):
        rows.update(ballot, ["state"])


def test_models_with_parents_are_refused():
    from cms.models import HomePage

    with pytest.raises(TypeError, match="parent"):
        rows.insert(HomePage(title="Home"))


def test_a_stored_ballot_has_its_selections():
    from budgeting.services import voting

    process = process_create()
    projects = [project_create(process), project_create(process)]
    for chosen in ([], projects[:1], projects):
        ballot = Ballot(process=process, channel=Channel.PAPER, idempotency_key=key())
        voting._write(ballot, [p.pk for p in chosen])
        assert ballot.pk and Ballot.objects.filter(pk=ballot.pk).exists()
        assert sorted(
            BallotSelection.objects.filter(ballot=ballot).values_list("project_id", flat=True)
        ) == sorted(p.pk for p in chosen)


def test_a_row_read_by_hand_loads_as_the_orm_loads_it():
    from django.db import connection

    process = process_create()
    ballot = rows.insert(Ballot(process=process, channel=Channel.PAPER, idempotency_key=key()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT created_at, channel, id FROM budgeting_ballot WHERE id = %s", [ballot.pk]
        )
        created_at, channel, pk = cursor.fetchone()
    # In any order; converted as the ORM converts (SQLite's datetimes become aware).
    loaded = rows.loaded(Ballot, {"created_at": created_at, "id": pk, "channel": channel})
    orm = Ballot.objects.only("created_at", "channel").get(pk=ballot.pk)
    assert (loaded.pk, loaded.channel, loaded.created_at) == (orm.pk, orm.channel, orm.created_at)
    assert timezone.is_aware(loaded.created_at) and not loaded._state.adding
    assert loaded.get_deferred_fields() == orm.get_deferred_fields()
