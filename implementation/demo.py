"""Demo data: the published PB process's winners in every implementation state, and the demo's
active accord followed with a status and a milestone.

Every step goes through `implementation.services` at the moment it would have happened
(`core.clock.travel_to`), so the audit trail is one a real run produces. Idempotent: a process
whose winners already have milestones is left alone.
"""

import datetime as dt
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw

from budgeting.models import Process
from citizens.models import Department, User
from core.clock import travel_to
from implementation import services
from implementation.models import Implementation, Milestone

PROCESS_TITLE = "Neighbourhood Budget 2025"


def _png(text: str) -> SimpleUploadedFile:
    """A small generated picture (no file shipped with the demo)."""
    image = Image.new("RGB", (320, 200), (214, 234, 214))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 120, 300, 180), fill=(120, 90, 60))
    draw.ellipse((120, 30, 200, 110), fill=(60, 140, 60))
    draw.text((24, 16), text, fill=(20, 40, 20))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return SimpleUploadedFile("site.png", out.getvalue(), content_type="image/png")


def _at(moment):
    return travel_to(min(moment, timezone.now() - dt.timedelta(minutes=5)))


def seed(stdout) -> None:
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _seed_process()
        _seed_accord()


def _seed_process() -> None:
    process = Process.objects.filter(title=PROCESS_TITLE, state=Process.State.RESULTS).first()
    olga = User.objects.filter(email="officer@partnercity.local").first()
    piero = User.objects.filter(email="parks@partnercity.local").first()
    if process is None or olga is None or piero is None:
        return
    if Milestone.objects.filter(implementation__project__process=process).exists():
        return
    published = process.results.filter(published_at__isnull=False).order_by("published_at")
    start = published.first().published_at + dt.timedelta(days=2)
    with _at(start):
        services.implementations_open_for_process(process=process)
    impls = list(Implementation.objects.filter(project__process=process).select_related("project"))
    if len(impls) < 4:
        return
    parks = Department.objects.filter(slug="parks").first()
    done, going, cancelled, planned = impls[0], impls[1], impls[2], impls[3:]

    # Done: assigned to the parks department, built, paid, finished.
    with _at(start + dt.timedelta(days=1)):
        services.implementation_assign(actor=olga, implementation=done, department=parks)
    with _at(start + dt.timedelta(days=20)):
        services.implementation_transition(actor=piero, implementation=done, name="start")
    with _at(start + dt.timedelta(days=25)):
        services.milestone_add(
            actor=piero,
            implementation=done,
            title="Contract awarded",
            due_date=(start + dt.timedelta(days=30)).date(),
            done=True,
        )
    with _at(start + dt.timedelta(days=90)):
        services.expense_add(
            actor=piero,
            implementation=done,
            amount=Decimal(done.budgeted_cost or 1000) * Decimal("0.95"),
            spent_on=(start + dt.timedelta(days=88)).date(),
            note="Works and materials (invoice 2025/118)",
        )
    with _at(start + dt.timedelta(days=100)):
        services.implementation_transition(actor=piero, implementation=done, name="complete")

    # In progress: milestones, one reached with a photo, one still to come.
    with _at(start + dt.timedelta(days=30)):
        services.implementation_transition(actor=olga, implementation=going, name="start")
    with _at(start + dt.timedelta(days=60)):
        services.milestone_add(
            actor=olga,
            implementation=going,
            title="Design approved with the neighbours",
            due_date=(start + dt.timedelta(days=60)).date(),
            note="Presented at the district assembly; two changes asked and made.",
            done=True,
            photos=[(_png("Site survey"), "The site before the works, seen from the street.")],
        )
    with _at(start + dt.timedelta(days=65)):
        services.milestone_add(
            actor=olga,
            implementation=going,
            title="Works completed",
            due_date=timezone.localdate() + dt.timedelta(days=45),
        )
        services.expense_add(
            actor=olga,
            implementation=going,
            amount=Decimal("4800.00"),
            spent_on=(start + dt.timedelta(days=64)).date(),
            note="Design and survey",
        )
    with _at(start + dt.timedelta(days=70)):
        services.implementation_update(
            actor=olga,
            implementation=going,
            progress=40,
            notes="The design is approved; the works are being tendered.",
        )

    # Cancelled, with its reasons.
    with _at(start + dt.timedelta(days=40)):
        services.implementation_transition(
            actor=olga,
            implementation=cancelled,
            name="cancel",
            reason="The building's owner refused the permit; the budget returns to the district.",
        )
    # The rest stay planned, one with a milestone ahead.
    if planned:
        with _at(start + dt.timedelta(days=45)):
            services.milestone_add(
                actor=olga,
                implementation=planned[0],
                title="Tender published",
                due_date=timezone.localdate() + dt.timedelta(days=20),
            )


def _seed_accord() -> None:
    from accords.models import Accord

    accord = Accord.objects.filter(state=Accord.State.ACTIVE).order_by("id").first()
    admin = User.objects.filter(email="admin@partnercity.local").first()
    if accord is None or admin is None or hasattr(accord, "implementation"):
        return
    with _at(accord.signed_at + dt.timedelta(days=3) if accord.signed_at else timezone.now()):
        impl = services.implementation_open_accord(actor=admin, accord=accord)
        services.implementation_transition(actor=admin, implementation=impl, name="start")
    with _at(accord.signed_at + dt.timedelta(days=10) if accord.signed_at else timezone.now()):
        services.milestone_add(
            actor=admin,
            implementation=impl,
            title="First season's activities reviewed",
            due_date=accord.start_date + dt.timedelta(days=180),
            note="Checked against the monitoring plan with the civic representative.",
        )
        services.implementation_update(
            actor=admin,
            implementation=impl,
            progress=30,
            notes="Following the monitoring plan of the accord.",
        )


def describe() -> str:
    process = Process.objects.filter(title=PROCESS_TITLE).first()
    if process is None:
        return ""
    return (
        "Implementation tracking:\n"
        f"  /budgeting/{process.pk}/implementation/  the winners of {process.title}\n"
        "  /implementation/  the officers' list (officer@ or parks@partnercity.local)"
    )
