"""iCalendar feeds (RFC 5545, with the `icalendar` package): per assembly, per meeting and per
person (their registrations, behind a signed token so calendar apps fetch it without a session).

Times are written in the city's time zone (settings.TIME_ZONE) with its VTIMEZONE, so a
calendar app shows the meeting at the hour the city announced it, wherever it is read.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vText

from assemblies.models import Meeting, MeetingState

FEED_SALT = "assemblies.calendar-feed"
PRODID = "-//PartnerCity//Assemblies of the Commons//EN"


def _city_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _absolute(path: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def meeting_event(meeting: Meeting, *, with_link: bool = False) -> Event:
    zone = _city_zone()
    event = Event()
    host = getattr(settings, "SITE_URL", "").split("//")[-1].strip("/") or "partnercity"
    event.add("uid", f"meeting-{meeting.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at, zone))
    event.add("dtend", timezone.localtime(meeting.ends_at, zone))
    event.add("summary", f"{meeting.title} — {meeting.assembly.name}")
    lines = [meeting.description] if meeting.description else []
    agenda = list(meeting.agenda_items.all())
    if agenda:
        lines.append(gettext("Agenda:"))
        lines += [f"{i}. {item.title}" for i, item in enumerate(agenda, start=1)]
    if with_link and meeting.online_url:
        lines.append(gettext("Online: %(url)s") % {"url": meeting.online_url})
    event.add("description", "\n".join(lines))
    where = ", ".join(p for p in (meeting.place, meeting.address) if p)
    if not where and meeting.is_online:
        where = gettext("Online")
    if where:
        event.add("location", vText(where))
    if meeting.has_location:
        event.add("geo", (float(meeting.latitude), float(meeting.longitude)))
    event.add("url", _absolute(meeting.get_absolute_url()))
    event.add("status", "CANCELLED" if meeting.state == MeetingState.CANCELLED else "CONFIRMED")
    event.add("last-modified", meeting.updated_at)
    return event


def calendar(name: str, meetings, *, links_for=frozenset()) -> bytes:
    """A VCALENDAR of `meetings`; `links_for` are the meeting ids whose online link the reader
    may see (their own registrations)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, with_link=meeting.pk in links_for))
    cal.add_missing_timezones()
    return cal.to_ical()


def response(body: bytes, filename: str, *, private: bool = False) -> HttpResponse:
    out = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    out["Content-Disposition"] = f'inline; filename="{filename}"'
    out["Cache-Control"] = "private, max-age=300" if private else "public, max-age=300"
    out["X-Content-Type-Options"] = "nosniff"
    return out


# ---- the personal feed's token ---------------------------------------------------------------


def feed_token(user) -> str:
    """A token naming the user, signed with the secret key (stable: the calendar app keeps the
    address). Changing the password does not revoke it; the user id and e-mail do."""
    return signing.dumps({"u": user.pk, "e": user.email.lower()[:8]}, salt=FEED_SALT, compress=True)


def user_from_token(token: str):
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=FEED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None or user.email.lower()[:8] != data.get("e"):
        return None
    return user
