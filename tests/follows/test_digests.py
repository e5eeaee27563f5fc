"""Daily and weekly digests under a frozen clock: one email with every event since the last
digest, none when nothing happened, and a second run in the same period sends nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command

from core.notify import notify
from follows.digests import send_due_digests
from follows.models import Digest, Frequency
from follows.preferences import preference_set
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db

ROME = ZoneInfo(settings.TIME_ZONE)
MONDAY = dt.date(2026, 3, 2)  # a Monday


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ROME)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the digests at a moment; returns the emails sent by that run."""

    def run_at(moment: dt.datetime) -> list:
        before = len(mail.outbox)
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            send_due_digests()
        return mail.outbox[before:]

    return run_at


@pytest.fixture
def event(django_capture_on_commit_callbacks):
    def happen(user, moment: dt.datetime, text: str, verb="claim.decided"):
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            notify([user], verb, text, url="/claims/1/")

    return happen


def test_daily_digest(run, event):
    reader = user_create(email="reader@example.org")
    preference_set(user=reader, kind="claim", frequency=Frequency.DAILY)
    preference_set(user=reader, kind="comment", frequency=Frequency.DAILY)

    event(reader, at(MONDAY, 9), "First event.")
    event(reader, at(MONDAY, 15), "Second event.")
    event(reader, at(MONDAY, 16), "A comment.", verb="claim.comment")
    assert mail.outbox == []  # nothing leaves at once

    # Tuesday, before the digest hour: not yet.
    tuesday = MONDAY + dt.timedelta(days=1)
    assert run(at(tuesday, settings.DIGEST_HOUR - 1)) == []
    # From the digest hour: one email with every event since the last digest.
    [digest] = run(at(tuesday, settings.DIGEST_HOUR, 5))
    assert digest.to == ["reader@example.org"]
    assert "3 updates" in digest.subject
    for text in ("First event.", "Second event.", "A comment."):
        assert text in digest.body
    assert "List-Unsubscribe" in digest.extra_headers
    # A second run the same day sends nothing, even with a new event since.
    assert run(at(tuesday, 12)) == []
    event(reader, at(tuesday, 13), "Third event.")
    assert run(at(tuesday, 18)) == []
    # The next day's digest has only what came after the last one.
    [second] = run(at(tuesday + dt.timedelta(days=1), 8))
    assert "Third event." in second.body and "First event." not in second.body
    assert "1 update" in second.subject
    # Nothing happened: no email.
    assert run(at(tuesday + dt.timedelta(days=2), 8)) == []
    assert Digest.objects.filter(user=reader, frequency="daily").count() == 2


def test_weekly_digest(run, event):
    reader = user_create()
    preference_set(user=reader, kind="claim", frequency=Frequency.WEEKLY)
    event(reader, at(MONDAY - dt.timedelta(days=3), 10), "Last week's event.")
    # The weekly digest goes out on Monday from the digest hour.
    [first] = run(at(MONDAY, 9))
    assert "Last week's event." in first.body and "weekly" in first.subject

    event(reader, at(MONDAY + dt.timedelta(days=1), 10), "Tuesday's event.")
    event(reader, at(MONDAY + dt.timedelta(days=3), 10), "Thursday's event.")
    # Daily runs during the week send nothing: this week's digest is already out.
    for day in range(1, 7):
        assert run(at(MONDAY + dt.timedelta(days=day), 9)) == []
    next_monday = MONDAY + dt.timedelta(days=7)
    [second] = run(at(next_monday, 9))
    assert "Tuesday's event." in second.body and "Thursday's event." in second.body
    assert "Last week's event." not in second.body
    assert run(at(next_monday, 20)) == []  # a second run the same day
    # A week with nothing in it: no email.
    assert run(at(next_monday + dt.timedelta(days=7), 9)) == []


def test_daily_and_immediate_readers_are_independent(run, event):
    daily, instant = user_create(), user_create()
    preference_set(user=daily, kind="claim", frequency=Frequency.DAILY)
    event(daily, at(MONDAY, 10), "For the digest.")
    event(instant, at(MONDAY, 10), "Right away.")
    assert [m.to for m in mail.outbox] == [[instant.email]]
    [digest] = run(at(MONDAY + dt.timedelta(days=1), 8))
    assert digest.to == [daily.email] and "Right away." not in digest.body


def test_a_kind_turned_off_before_the_digest_is_left_out(run, event):
    reader = user_create()
    preference_set(user=reader, kind="claim", frequency=Frequency.DAILY)
    preference_set(user=reader, kind="accord", frequency=Frequency.DAILY)
    event(reader, at(MONDAY, 10), "About a claim.")
    event(reader, at(MONDAY, 10), "About an accord.", verb="accord.proposed")
    preference_set(user=reader, kind="claim", frequency=Frequency.OFF)
    [digest] = run(at(MONDAY + dt.timedelta(days=1), 8))
    assert "About an accord." in digest.body and "About a claim." not in digest.body


def test_the_command_reports_what_it_sent(event, django_capture_on_commit_callbacks):
    import io

    reader = user_create()
    preference_set(user=reader, kind="claim", frequency=Frequency.DAILY)
    event(reader, at(MONDAY, 10), "Something.")
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--now", "2026-03-03T08:00", stdout=out)
    assert "daily=1" in out.getvalue() and len(mail.outbox) == 1


def test_the_digest_speaks_the_readers_language(run, event, settings):
    import io

    from django.core.management import call_command as django_call

    django_call("compile_translations", stdout=io.StringIO())
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # fresh catalogue caches
    reader = user_create(preferred_language="it")
    preference_set(user=reader, kind="claim", frequency=Frequency.DAILY)
    event(reader, at(MONDAY, 10), "Qualcosa.")
    [digest] = run(at(MONDAY + dt.timedelta(days=1), 8))
    assert "il tuo riepilogo giornaliero, 1 aggiornamento" in digest.subject
    assert "Proposte: passaggi, decisioni, pareri" in digest.body
    assert "Interrompi tutte le email di notifica" in digest.body
