"""Send the notification digests that are due: `python manage.py send_digests`.

Idempotent (one digest per person, frequency and day or week), so run it as often as you like:
cron every 15 minutes in production, `--every 300` as a loop beside `make run`'s worker.
"""

import datetime as dt
import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from follows.digests import send_due_digests

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send the daily and weekly notification digests that are due (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Pretend it is this ISO date-time (catching up, tests).")
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sending what is due every SECONDS (for `make run`).",
        )

    def handle(self, *args, now=None, every=0, **options):
        moment = self._parse(now) if now else None
        if every < 0:
            raise CommandError("--every must be a positive number of seconds")
        while True:
            try:
                sent = send_due_digests(moment or timezone.now())
            except Exception:
                if not every:
                    raise
                # The loop outlives a bad moment (a locked database); the next pass catches up.
                logger.exception("send_digests failed; trying again in %ss", every)
            else:
                self.stdout.write(
                    f"digests sent: daily={sent.get('daily', 0)}, weekly={sent.get('weekly', 0)}"
                )
            if not every:
                return
            time.sleep(every)
            close_old_connections()  # a long-running loop: drop connections gone stale

    @staticmethod
    def _parse(value: str) -> dt.datetime:
        parsed = parse_datetime(value)
        if parsed is None:
            raise CommandError(f"Not an ISO date-time: {value!r}")
        return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
