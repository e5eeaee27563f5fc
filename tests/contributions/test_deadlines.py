"""run_deadlines: unconfirmed entries remind the people who confirm them (once per period),
and volunteers are reminded the day before their shift (once)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from citizens.models import Notification
from contributions import deadlines, services
from tests.contributions.factories import active_world, shift_create, today

pytestmark = pytest.mark.django_db


def test_old_unconfirmed_entries_remind_the_representative_once_per_period(settings):
    settings.CONTRIBUTIONS_CONFIRM_DAYS = 7
    world = active_world()
    services.log_hours(
        actor=world.member, accord=world.accord, on=today(), hours="2", description="x"
    )
    now = timezone.now()
    assert deadlines.run(now)["unconfirmed_reminders"] == 0  # not old yet
    later = now + dt.timedelta(days=8)
    assert deadlines.run(later)["unconfirmed_reminders"] == 1
    assert deadlines.run(later + dt.timedelta(hours=1))["unconfirmed_reminders"] == 0
    assert Notification.objects.filter(user=world.rep, verb="contribution.reminder").count() == 1
    assert not Notification.objects.filter(user=world.member, verb="contribution.reminder")
    assert deadlines.run(later + dt.timedelta(days=8))["unconfirmed_reminders"] == 1
    assert AuditEntry.objects.filter(action="contribution.remind").count() == 2


def test_volunteers_are_reminded_the_day_before_once():
    world = active_world()
    shift = shift_create(world, days=1)
    services.sign_up(actor=world.outsider, shift=shift)
    now = timezone.now()
    assert deadlines.run(now)["shift_reminders"] == 1
    assert deadlines.run(now)["shift_reminders"] == 0
    assert (
        Notification.objects.filter(user=world.outsider, verb="contribution.shift_reminder").count()
        == 1
    )


def test_run_deadlines_runs_the_contributions_step(capsys):
    call_command("run_deadlines")
    assert "contributions:" in capsys.readouterr().out
