"""Move processes whose phase dates have passed: `python manage.py pb_advance` (from cron)."""

from django.core.management.base import BaseCommand

from budgeting.services import process_advance_by_schedule


class Command(BaseCommand):
    help = "Close idea collection, open and close voting when their dates have passed."

    def handle(self, *args, **options):
        for process, outcome in process_advance_by_schedule():
            self.stdout.write(f"{process.pk} {process.title}: {outcome}")
