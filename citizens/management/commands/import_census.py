from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from citizens.census import CensusImportError, census_import


class Command(BaseCommand):
    help = "Import a census CSV (document_id, birth_date, district). Re-importing updates."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            report = census_import(data=file.read_bytes())
        except CensusImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"created={report.created} updated={report.updated} unchanged={report.unchanged}"
        )
