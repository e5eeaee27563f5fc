"""Run every time-driven step of every app: `python manage.py run_deadlines` (cron: every
minute). Idempotent.

Each app with deadlines provides `<app>.deadlines.run(now) -> dict[str, int]`; the claims
app runs first, then the apps in PLUGGABLE_APPS that have such a module.
"""

import datetime as dt
import importlib
import importlib.util

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

PLUGGABLE_APPS = [
    "proposals",
    "accords",
    "budgeting",
    "assemblies",
    "implementation",
    "contributions",
]


def deadline_modules():
    for app in PLUGGABLE_APPS:
        name = f"{app}.deadlines"
        if importlib.util.find_spec(app) is None or importlib.util.find_spec(name) is None:
            continue
        yield app, importlib.import_module(name)


class Command(BaseCommand):
    help = "Close consultations whose time is up and flag overdue steps (all apps)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Pretend it is this ISO date-time (for catching up or testing).",
        )

    def handle(self, *args, now=None, **options):
        if now:
            parsed = parse_datetime(now)
            if parsed is None:
                raise CommandError(f"Not an ISO date-time: {now!r}")
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            moment: dt.datetime = parsed
        else:
            moment = timezone.now()
        for app, module in deadline_modules():
            summary = module.run(moment) or {}
            details = ", ".join(f"{key}={value}" for key, value in summary.items())
            self.stdout.write(f"{app}: {details or 'nothing to do'}")
