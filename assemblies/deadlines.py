"""Time-driven steps of the assemblies (run by `manage.py run_deadlines`): the day-before
reminders of meetings, queued once per meeting."""

from assemblies.services import send_reminders


def run(now) -> dict[str, int]:
    return {"meeting_reminders": send_reminders(now)}
