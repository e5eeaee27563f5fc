"""iCalendar feeds: they parse with `icalendar`, carry the meeting in the city's time zone (with
its VTIMEZONE), and show the online link only to whom may see it."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from assemblies import ical
from assemblies.models import MeetingKind
from tests.assemblies.factories import meeting_make, registration_make
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(cal):
    return [c for c in cal.walk("VEVENT")]


def test_the_meeting_feed_has_the_meeting_in_the_city_time_zone(client, assembly):
    meeting = meeting_make(assembly, title="Plenary")
    cal = parse(client.get(reverse("assemblies:meeting-ics", args=[meeting.pk])))
    [event] = events(cal)
    assert str(event["SUMMARY"]).startswith("Plenary")
    start = event.decoded("DTSTART")
    assert start == meeting.starts_at.replace(microsecond=0)
    assert getattr(start.tzinfo, "key", str(start.tzinfo)) == settings.TIME_ZONE
    assert event["DTSTART"].params["TZID"] == settings.TIME_ZONE
    zones = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert zones == [settings.TIME_ZONE]
    assert str(event["LOCATION"]) == meeting.place
    assert str(event["URL"]).endswith(meeting.get_absolute_url())


def test_the_assembly_feed_lists_its_meetings(client, assembly):
    a = meeting_make(assembly, title="First")
    b = meeting_make(assembly, title="Second", starts_in=dt.timedelta(days=9))
    cal = parse(client.get(reverse("assemblies:assembly-ics", args=[assembly.slug])))
    uids = {str(e["UID"]) for e in events(cal)}
    assert {u.split("@")[0] for u in uids} == {f"meeting-{a.pk}", f"meeting-{b.pk}"}


def test_the_online_link_stays_out_of_public_feeds(client, assembly):
    meeting = meeting_make(assembly, kind=MeetingKind.HYBRID)
    body = client.get(reverse("assemblies:meeting-ics", args=[meeting.pk])).content.decode()
    assert meeting.online_url not in body
    body = client.get(reverse("assemblies:assembly-ics", args=[assembly.slug])).content.decode()
    assert meeting.online_url not in body


def test_the_personal_feed_needs_no_session_and_a_valid_token(client, assembly):
    person = user_create()
    mine = meeting_make(assembly, kind=MeetingKind.ONLINE, title="Mine")
    meeting_make(assembly, title="Not mine")
    registration_make(mine, person)
    url = reverse("assemblies:my-ics", args=[ical.feed_token(person)])
    cal = parse(client.get(url))
    [event] = events(cal)
    assert str(event["SUMMARY"]).startswith("Mine")
    assert mine.online_url in str(event["DESCRIPTION"])
    assert client.get(reverse("assemblies:my-ics", args=["forged"])).status_code == 404
    tampered = ical.feed_token(person)[:-2] + "xx"
    assert client.get(reverse("assemblies:my-ics", args=[tampered])).status_code == 404


def test_a_changed_email_revokes_the_personal_feed(client):
    person = user_create(email="before@example.org")
    token = ical.feed_token(person)
    person.email = "after@example.org"
    person.save()
    assert client.get(reverse("assemblies:my-ics", args=[token])).status_code == 404


def test_times_are_written_at_the_announced_local_hour(assembly):
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    meeting = meeting_make(assembly)
    meeting.starts_at = dt.datetime(2031, 7, 1, 18, 0, tzinfo=zone)
    meeting.ends_at = meeting.starts_at + dt.timedelta(hours=2)
    meeting.updated_at = timezone.now()
    text = ical.calendar("x", [meeting]).decode()
    assert f"DTSTART;TZID={settings.TIME_ZONE}:20310701T180000" in text
