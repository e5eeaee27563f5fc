"""Recompute the fingerprint of every locked or signed version and compare it with the one
stored (and with the one each signature recorded). Exits with status 1, naming the accords,
when any stored text no longer matches: `python manage.py accords_verify`."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from accords.fingerprint import fingerprint
from accords.models import AccordVersion, Signature, SupportItem


class Command(BaseCommand):
    help = "Check that the stored text of every agreed or signed accord version is unchanged."

    def handle(self, *args, **options):
        versions = (
            AccordVersion.objects.exclude(fingerprint="")
            .select_related("accord")
            .prefetch_related(
                Prefetch("support_items", queryset=SupportItem.objects.order_by("position")),
                Prefetch(
                    "signatures", queryset=Signature.objects.only("version_id", "fingerprint")
                ),
            )
            .order_by("accord_id", "number")
        )
        checked = 0
        problems = []
        for version in versions.iterator(chunk_size=200):
            checked += 1
            actual = fingerprint(version)
            recorded = {version.fingerprint} | {s.fingerprint for s in version.signatures.all()}
            if recorded != {actual}:
                problems.append(
                    f"{version.accord.reference} (accord {version.accord_id}) version "
                    f"{version.number}: stored text does not match its fingerprint "
                    f"(stored {version.fingerprint[:16]}…, recomputed {actual[:16]}…)"
                )
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(
                f"{len(problems)} of {checked} accord version(s) failed verification: "
                + ", ".join(sorted({p.split(" ", 1)[0] for p in problems}))
            )
        self.stdout.write(self.style.SUCCESS(f"{checked} accord version(s) verified."))
