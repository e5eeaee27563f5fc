"""Two digest runs at once (two cron hosts, or cron and `make run`'s loop) send one digest;
two follows at once make one row."""

import datetime as dt

import pytest
from django.core import mail

from core.notify import notify
from follows.digests import send_due_digests
from follows.models import Digest, DigestItem, Follow, Frequency
from follows.preferences import preference_set
from follows.services import follow
from proposals.models import Claim
from tests.citizens.factories import resident_create, user_create
from tests.concurrency import run_together
from tests.proposals.factories import claim_in_state

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_digest_runs_at_once_send_one_digest():
    reader = user_create()
    preference_set(user=reader, kind="claim", frequency=Frequency.DAILY)
    for n in range(3):
        notify([reader], "claim.decided", f"Event {n}.")
    moment = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    results = run_together(lambda: send_due_digests(moment), lambda: send_due_digests(moment))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r["daily"] for r in results) == 1
    assert Digest.objects.filter(user=reader).count() == 1
    assert DigestItem.objects.filter(digest__isnull=True).count() == 0
    assert len([m for m in mail.outbox if reader.email in m.to]) == 1


def test_two_follows_at_once_make_one_row():
    claim = claim_in_state(Claim.State.CONSULTATION)
    reader = resident_create()
    results = run_together(lambda: follow(reader, claim), lambda: follow(reader, claim))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Follow.objects.filter(user=reader, object_id=claim.pk).count() == 1
