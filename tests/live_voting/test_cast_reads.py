"""The cast's two keyed reads are written once as SQL (budgeting/live/selectors.py,
budgeting/live/services/casting.py): they must read what the ORM reads, and a whole cast must
stay a fixed handful of statements (a field read later from a deferred instance would add one
per cast)."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgeting.live import credentials, selectors
from budgeting.live.models import BallotToken, Tablet
from budgeting.live.services.casting import _locked_token
from tests.budgeting.factories import key
from tests.live_voting.factories import checkin, ready_to_cast, tablet_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return ready_to_cast()


def test_the_tablet_for_a_cast_reads_what_the_orm_reads(world):
    _project, tablet, credential, _token, _facilitator = world
    read = selectors.tablet_for_cast(credential)
    orm = Tablet.objects.select_related("session__process").get(pk=tablet.pk)
    assert (read.pk, read.revoked_at, read.session_id) == (orm.pk, None, orm.session_id)
    assert (read.session.pk, read.session.state) == (orm.session.pk, orm.session.state)
    process, expected = read.session.process, orm.session.process
    assert process.pk == expected.pk and process.state == expected.state
    assert process.voting_opens_at == expected.voting_opens_at
    assert process.voting_closes_at == expected.voting_closes_at
    assert process.voting_is_open() is expected.voting_is_open()
    assert Tablet.session.is_cached(read) and type(read.session).process.is_cached(read.session)
    assert selectors.tablet_for_cast("not-a-credential") is None
    assert selectors.tablet_for_cast("") is None


def test_a_revoked_tablet_is_read_revoked(world):
    _project, tablet, credential, _token, _facilitator = world
    Tablet.objects.filter(pk=tablet.pk).update(revoked_at=tablet.paired_at)
    assert selectors.tablet_for_cast(credential).is_revoked


def test_the_locked_token_is_the_whole_row(world):
    _project, _tablet, _credential, token, _facilitator = world
    row = _locked_token(token)
    orm = BallotToken.objects.get(token_hash=credentials.token_hash(token))
    fields = [f.attname for f in BallotToken._meta.concrete_fields]
    assert [getattr(row, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert not row.get_deferred_fields() and not row._state.adding
    assert _locked_token("0" * 32) is None


def test_a_cast_is_a_fixed_handful_of_statements(world, settings):
    settings.PB_LIVE_CAST_THREADS = 0  # a pooled thread would not see this test's data
    project, _tablet, credential, token, facilitator = world
    client = Client()
    client.cookies["pb_live_device"] = credential
    url = reverse("pb_live:kiosk-cast")
    body = {"token": token, "key": key(), "projects": [project.pk]}
    with CaptureQueriesContext(connection) as first:  # the ballot context is read once
        response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.json() == {"ok": True, "created": True}
    session = selectors.tablet_for_cast(credential).session
    _other, other_credential = tablet_make(session, label="Second")
    _r, other_token = checkin(session, facilitator, tablet=_other)
    client.cookies["pb_live_device"] = other_credential
    body = {"token": other_token, "key": key(), "projects": [project.pk]}
    with CaptureQueriesContext(connection) as cast:
        response = client.post(url, json.dumps(body), content_type="application/json")
    assert response.json() == {"ok": True, "created": True}
    statements = [q["sql"].split()[0].upper() for q in cast.captured_queries]
    # the tablet, the token (locked), the ballot and its selections (one statement on
    # PostgreSQL), the token used; with the transaction's own statements where the database
    # has them
    data = [s for s in statements if s in ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")]
    writes = ["WITH"] if connection.vendor == "postgresql" else ["INSERT", "INSERT"]
    assert data == ["SELECT", "SELECT", *writes, "UPDATE"], statements
    assert len(first.captured_queries) > len(cast.captured_queries)
