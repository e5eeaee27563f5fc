"""Races on PostgreSQL: one objection per person however many clicks at once, and an agree
toggled from several tabs never leaves more than one agreement."""

import pytest
from django.core.exceptions import ValidationError

from comments import services
from comments.models import Agreement, Comment
from tests.citizens.factories import resident_create
from tests.comments.factories import claim_in_consultation
from tests.concurrency import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_objection_sent_six_times_at_once_is_recorded_once():
    from proposals import services as claim_services

    claim = claim_in_consultation()
    resident = resident_create()
    results = run_together(
        *[
            lambda: claim_services.objection_add(author=resident, claim=claim, reason="No.")
            for _ in range(6)
        ]
    )
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 5, results
    assert Comment.objects.filter(kind="objection", author=resident).count() == 1


def test_agreeing_from_many_tabs_at_once_keeps_at_most_one_agreement():
    claim = claim_in_consultation()
    comment = services.comment_post(author=resident_create(), target=claim, body="Yes")
    reader = resident_create()
    results = run_together(
        *[lambda: services.comment_agree(user=reader, comment=comment) for _ in range(5)]
    )
    assert all(isinstance(r, bool) for r in results), results
    # Five toggles, one after another under the comment's lock: agree, back, agree, back, agree.
    assert sorted(results) == [False, False, True, True, True]
    assert Agreement.objects.filter(comment=comment, user=reader).count() == 1
