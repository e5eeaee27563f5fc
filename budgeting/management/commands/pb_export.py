"""Export a process as a Pabulib file: `python manage.py pb_export PROCESS_ID [-o FILE.pb]`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budgeting.models import Process
from budgeting.pabulib_io import process_export


class Command(BaseCommand):
    help = "Write a process's projects and anonymous counted ballots in the Pabulib format."

    def add_arguments(self, parser):
        parser.add_argument("process", type=int, help="the process id")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--district", help="only this district envelope")

    def handle(self, *args, process, output, district, **options):
        found = Process.objects.filter(pk=process).first()
        if found is None:
            raise CommandError(f"no process {process}")
        text = process_export(process=found, district=district)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
