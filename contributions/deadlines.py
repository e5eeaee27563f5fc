"""Time-driven steps of contributions, run by `manage.py run_deadlines` (idempotent):
remind the representatives (and officers) of entries left unconfirmed for longer than
`CONTRIBUTIONS_CONFIRM_DAYS`, and volunteers of tomorrow's shifts."""

import datetime as dt

from django.conf import settings

from contributions.services import remind_shifts, remind_unconfirmed


def run(now: dt.datetime) -> dict[str, int]:
    days = int(getattr(settings, "CONTRIBUTIONS_CONFIRM_DAYS", 14))
    return {
        "unconfirmed_reminders": remind_unconfirmed(now=now, days=days),
        "shift_reminders": remind_shifts(now=now),
    }
