"""An iCalendar entry for a volunteer shift (RFC 5545, with the `icalendar` package)."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from contributions.models import Shift


def shift_calendar(shift: Shift, url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//PartnerCity//Volunteer shifts//EN")
    cal.add("version", "2.0")
    event = Event()
    host = settings.SITE_URL.split("://")[-1].split("/")[0] or "partnercity"
    event.add("uid", f"shift-{shift.pk}@{host}")
    event.add("dtstamp", dt.datetime.now(dt.UTC))
    event.add("dtstart", shift.starts_at.astimezone(dt.UTC))
    event.add("dtend", shift.ends_at.astimezone(dt.UTC))
    event.add("summary", shift.activity.title)
    description = shift.activity.description
    if shift.bring:
        description = f"{description}\n\n{shift.bring}".strip()
    event.add("description", description)
    event.add("location", shift.place)
    event.add("url", url)
    cal.add_component(event)
    return cal.to_ical()


__all__ = ["shift_calendar", "timezone"]
