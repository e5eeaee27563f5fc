"""Import a Pabulib file as a new process: `python manage.py pb_import FILE.pb [--title T]`."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from budgeting.pabulib_io import PabulibImportError, process_import


class Command(BaseCommand):
    help = "Import a Pabulib .pb file (projects and anonymous ballots) as a new process."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the .pb file")
        parser.add_argument("--title", default="", help="the process title (default: from file)")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args, file, title, quiet, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        last = {}

        def progress(stage, done, total):
            # One line per 10% of each stage, on stderr so stdout stays the summary.
            step = int(10 * done / total) if total else 10
            if quiet or last.get(stage) == step:
                return
            last[stage] = step
            sys.stderr.write(f"{stage}: {done}/{total} ({100 * done // max(total, 1)}%)\n")

        try:
            report = process_import(data=path.read_bytes(), title=title, progress=progress)
        except PabulibImportError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        process = report.process
        self.stdout.write(
            f"Imported {process.title!r} as process {process.pk}: "
            f"{report.projects} projects, {report.ballots} ballots."
        )
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
