import io

import pytest
from django.core.management import call_command

from assemblies import demo
from assemblies.models import Assembly, Meeting, Registration


@pytest.mark.django_db
def test_the_demo_is_idempotent_and_complete():
    from citizens import demo as citizens_demo

    citizens_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    city = Assembly.objects.get(kind="city")
    assert city.voting_members().count() == 4
    past = Meeting.objects.get(title=demo.PAST_TITLE)
    today = Meeting.objects.get(title=demo.TODAY_TITLE)
    assert past.state == "closed" and past.checked_in_users().count() == 3
    assert today.state == "open" and today.is_hybrid
    assert today.checked_in_users().count() == 2
    assert Registration.objects.filter(meeting=today, state="waiting").count() == 1
    assert "door" in demo.describe()
    assert city.adherences.count() == 1
    assert call_command  # the full seed_demo is run by tests/test_demo_all (lead)


@pytest.mark.django_db
def test_the_demo_seeded_just_after_midnight_keeps_one_meeting_today():
    # At 00:30 in Rome an hour ago is yesterday: the meeting used to start then, and a second
    # seed, looking for today's meeting, made another one.
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    from citizens import demo as citizens_demo

    moment = dt.datetime(2026, 11, 2, 0, 30, tzinfo=ZoneInfo("Europe/Rome"))
    with time_machine.travel(moment, tick=True):
        citizens_demo.seed(io.StringIO())
        demo.seed(io.StringIO())
        demo.seed(io.StringIO())
        today = Meeting.objects.get(title=demo.TODAY_TITLE)
        assert today.starts_at <= moment < today.ends_at
