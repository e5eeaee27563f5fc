"""Compile every .po catalogue (project and apps) to .mo with polib (no GNU gettext needed)."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po catalogues to .mo (pure Python, no gettext tools)."

    def handle(self, *args, **options):
        count = 0
        base = Path(settings.BASE_DIR)
        dirs = [Path(d) for d in settings.LOCALE_PATHS]
        dirs += [
            p
            for pattern in ("*/locale", "*/*/locale")  # apps, and nested apps (budgeting.live)
            for p in base.glob(pattern)
            if ".venv" not in p.parts
        ]
        for locale_dir in dirs:
            for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
                po = polib.pofile(str(po_path))
                po.save_as_mofile(str(po_path.with_suffix(".mo")))
                count += 1
        self.stdout.write(f"compiled {count} catalogue(s)")
