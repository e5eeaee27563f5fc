"""``manage.py pb_compute FILE.pb --rule greedy|mes``: print the winners of a Pabulib file.

Reads nothing from and writes nothing to the database: it only parses the file and runs a pure
rule from :mod:`budgeting.rules`.
"""

from django.core.management.base import BaseCommand, CommandError

from budgeting.pabulib import PabulibError
from budgeting.rules import ADD1_VARIANTS, RULES, compute_file


class Command(BaseCommand):
    help = (
        "Compute the outcome of a Pabulib .pb file and print the selected project ids, one per "
        "line. 'mes' is the Method of Equal Shares with Add1 and greedy completion."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a Pabulib .pb file")
        parser.add_argument("--rule", choices=RULES, required=True)
        parser.add_argument(
            "--comparison",
            action="store_true",
            help="mes only: keep the greedy outcome if more voters prefer it (Wieliczka 2023)",
        )
        parser.add_argument(
            "--tie-breaking", choices=("lexicographic", "equalshares"), default="lexicographic"
        )
        parser.add_argument(
            "--add1-variant",
            choices=sorted(ADD1_VARIANTS),
            default="pabutools",
            help="how Add1 raises the per-voter budget and when it stops (see docs/decisions)",
        )

    def handle(self, *args, **options):
        if options["comparison"] and options["rule"] != "mes":
            raise CommandError("--comparison only applies to --rule mes")
        try:
            result = compute_file(
                options["file"],
                options["rule"],
                comparison=options["comparison"],
                tie_breaking=options["tie_breaking"],
                add1_variant=options["add1_variant"],
            )
        except OSError as exc:
            raise CommandError(f"cannot read {options['file']}: {exc.strerror or exc}") from exc
        except PabulibError as exc:
            raise CommandError(f"{options['file']}: {exc}") from exc
        for project_id in result.selected:
            self.stdout.write(project_id)
