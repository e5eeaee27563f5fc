"""Load demo data for every app, idempotently: `python manage.py seed_demo`.

Each app may provide `<app>/demo.py` with `seed(stdout)` (and optionally `describe()`); they
run in the order below so later apps can use earlier apps' data.
"""

from importlib import import_module

from django.core.management.base import BaseCommand

DEMO_APPS = [
    "citizens",
    "cms",
    "proposals",
    "accords",
    "budgeting",
    "budgeting.live",
    "contributions",
    "implementation",
    "assemblies",
    "assemblies.motions",
    # Motions before records: the records' demo publishes the past meeting's minutes, after
    # which no decision can be added.
    "assemblies.records",
    "follows",
    "comments",
    # Last: indexes everything the others made.
    "search",
]


class Command(BaseCommand):
    help = "Create or refresh demo data (accounts, census, pages, claims, accords, processes)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-accounts", action="store_true", help="Do not print the demo accounts."
        )

    def handle(self, *args, quiet_accounts=False, **options):
        modules = []
        for app in DEMO_APPS:
            try:
                modules.append(import_module(f"{app}.demo"))
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
        for module in modules:
            module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        if not quiet_accounts:
            for module in modules:
                if hasattr(module, "describe"):
                    self.stdout.write(module.describe())
