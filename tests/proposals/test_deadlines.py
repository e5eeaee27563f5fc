"""run_deadlines with frozen time: consultations close, overdue steps are flagged once."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from citizens.models import Notification
from proposals import deadlines, services
from proposals.management.commands.run_deadlines import deadline_modules
from proposals.models import Claim, ProcedureConfig
from tests.citizens.factories import department_create, officer_create
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db
S = Claim.State


def run(at) -> str:
    out = io.StringIO()
    with time_machine.travel(at, tick=False):
        call_command("run_deadlines", stdout=out)
    return out.getvalue()


def test_consultations_close_when_their_time_is_up_and_not_before():
    start = timezone.now()
    claim = claim_in_state(S.CONSULTATION)
    days = ProcedureConfig.get_solo().track("ordinary").consultation_days
    assert "consultations_closed=0" in run(
        start + dt.timedelta(days=days) - dt.timedelta(minutes=1)
    )
    claim.refresh_from_db()
    assert claim.state == S.CONSULTATION
    output = run(start + dt.timedelta(days=days, minutes=1))
    assert "consultations_closed=1" in output
    claim.refresh_from_db()
    assert claim.state == S.TECHNICAL_REVIEW
    # Idempotent: a second run (or an overlapping one) changes nothing.
    assert "consultations_closed=0" in run(start + dt.timedelta(days=days, minutes=2))
    assert AuditEntry.objects.filter(action="claim.close_consultation").count() == 1


def test_the_consultation_length_comes_from_the_configuration():
    track = ProcedureConfig.get_solo().track("ordinary")
    track.consultation_days = 3
    track.save()
    start = timezone.now()
    claim = claim_in_state(S.CONSULTATION)
    run(start + dt.timedelta(days=3, minutes=1))
    claim.refresh_from_db()
    assert claim.state == S.TECHNICAL_REVIEW


def test_overdue_claims_are_flagged_once_and_the_city_is_told():
    officer = officer_create()
    start = timezone.now()
    claim = claim_in_state(S.SCREENING, officer=officer)
    screening_days = ProcedureConfig.get_solo().track("ordinary").screening_days
    late = start + dt.timedelta(days=screening_days, hours=1)
    assert "claims_overdue=1" in run(late)
    assert "claims_overdue=0" in run(late + dt.timedelta(minutes=5))
    claim.refresh_from_db()
    assert claim.overdue_flagged_at is not None
    assert Notification.objects.filter(user=officer, verb="claim.overdue").count() == 1
    assert AuditEntry.objects.filter(action="claim.overdue").count() == 1
    # The next step clears the flag and sets a new due date.
    with time_machine.travel(late, tick=False):
        claim = services.claim_screen(actor=officer, claim=claim, outcome="admissible")
    assert claim.overdue_flagged_at is None and claim.due_at > late


def test_late_documents_are_flagged_to_the_proposers_too():
    start = timezone.now()
    claim = claim_in_state(S.AWAITING_DOCUMENTS)
    run(start + dt.timedelta(days=31))
    assert Notification.objects.filter(user=claim.created_by, verb="claim.overdue").exists()


def test_overdue_reviews_are_flagged_to_the_department():
    officer = officer_create()
    department = department_create()
    reviewer = officer_create(department=department)
    start = timezone.now()
    claim = claim_in_state(S.CONSULTATION, officer=officer)
    review = services.review_request(
        actor=officer, claim=claim, department=department, due_at=start + dt.timedelta(days=2)
    )
    assert "reviews_overdue=0" in run(start + dt.timedelta(days=1))
    assert "reviews_overdue=1" in run(start + dt.timedelta(days=2, minutes=1))
    assert "reviews_overdue=0" in run(start + dt.timedelta(days=2, minutes=2))
    review.refresh_from_db()
    assert review.overdue_flagged_at is not None
    assert Notification.objects.filter(user=reviewer, verb="review.overdue").count() == 1


def test_a_claim_withdrawn_meanwhile_is_left_alone():
    start = timezone.now()
    claim = claim_in_state(S.CONSULTATION)
    services.claim_withdraw(actor=claim.created_by, claim=claim, reason="Bye")
    assert deadlines.run(start + dt.timedelta(days=60)) == {
        "consultations_closed": 0,
        "claims_overdue": 0,
        "reviews_overdue": 0,
    }


def test_the_command_runs_every_app_that_has_deadlines_and_accepts_a_time():
    apps = [app for app, _module in deadline_modules()]
    assert apps[0] == "proposals"
    out = io.StringIO()
    call_command("run_deadlines", "--now", "2030-01-01T10:00", stdout=out)
    assert out.getvalue().startswith("proposals: consultations_closed=0")
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("run_deadlines", "--now", "yesterday")
