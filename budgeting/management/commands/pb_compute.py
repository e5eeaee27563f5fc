"""``manage.py pb_compute FILE.pb --rule greedy|mes``: print the winners of a Pabulib file.

Reads nothing from and writes nothing to the database: it only parses the file and runs a pure
rule from :mod:`budgeting.rules`. The vote threshold is the file's ``min_project_score_threshold``
unless ``--min-votes`` says otherwise; which one applies is said on stderr, so that stdout stays
one winner per line.
"""

from django.core.management.base import BaseCommand, CommandError

from budgeting.pabulib import (
    THRESHOLD_KEY,
    PabulibError,
    election_from_pabulib,
    file_threshold,
    parse_pabulib,
)
from budgeting.rules import ADD1_VARIANTS, RULES, compute_election


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
        parser.add_argument(
            "--min-votes",
            type=int,
            default=None,
            help=(
                f"votes a project needs to be funded (default: the file's {THRESHOLD_KEY}, "
                "else none); a project nobody voted for is never funded"
            ),
        )

    def handle(self, *args, **options):
        if options["comparison"] and options["rule"] != "mes":
            raise CommandError("--comparison only applies to --rule mes")
        if options["min_votes"] is not None and options["min_votes"] < 0:
            raise CommandError("--min-votes must not be negative")
        path = options["file"]
        try:
            data = parse_pabulib(path)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
        except PabulibError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        min_votes = options["min_votes"]
        if min_votes is None:
            min_votes = file_threshold(data)
            source = f"the file's {THRESHOLD_KEY}" if THRESHOLD_KEY in data.meta else "none set"
        else:
            source = "--min-votes"
        self.stderr.write(f"vote threshold: {min_votes} ({source})")
        result = compute_election(
            election_from_pabulib(data),
            options["rule"],
            comparison=options["comparison"],
            tie_breaking=options["tie_breaking"],
            add1_variant=options["add1_variant"],
            min_votes=min_votes,
        )
        for project_id in result.selected:
            self.stdout.write(project_id)
