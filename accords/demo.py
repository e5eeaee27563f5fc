"""Demo accords in every main state (idempotent): part of `manage.py seed_demo`.

Runs after citizens.demo (accounts) and proposals.demo (resources, claims). Each accord starts
from its own approved claim and goes through the real services, so versions, comments,
signatures, audit entries and notifications look like the real thing. The approved claim of
the claims demo (“Friends of Giardino Margherita look after the rose garden”) is left without
an accord, for a newcomer to start one.
"""

import datetime as dt
import io
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw

from accords import services
from accords.models import Accord, AccordVersion
from accords.services import SupportItemDraft, VersionDraft
from citizens.demo import DEMO_PASSWORD
from citizens.models import CivicGroup, Membership, User
from core.clock import travel_to
from proposals import services as claims
from proposals.models import Claim, UrbanResource

K = UrbanResource.Kind

# title, resource (name, kind, district, address, lat, lon), author, group?, coauthor, months,
# start (days ago), state to reach
SCENARIOS = [
    (
        "Weekly care of the Montagnola park",
        (
            "Parco della Montagnola",
            K.GREEN_AREA,
            "Centro",
            "Via Irnerio 2/3, Bologna",
            "44.500800",
            "11.345300",
        ),
        "resident",
        True,
        None,
        24,
        120,
        "active",
    ),
    (
        "Book exchange under the porticoes of Via Zamboni",
        (
            "Porticoes of Via Zamboni",
            K.STREET,
            "Centro",
            "Via Zamboni 33, Bologna",
            "44.496400",
            "11.352300",
        ),
        "resident2",
        False,
        "resident",
        18,
        0,
        "awaiting_signatures",
    ),
    (
        "Neighbourhood workshop in the former Mercato Navile",
        (
            "Former Mercato Navile building",
            K.BUILDING,
            "Navile",
            "Via Gobetti, Bologna",
            "44.512000",
            "11.343000",
        ),
        "resident2",
        False,
        None,
        48,
        0,
        "drafting",
    ),
    (
        "Flower beds of the Giardino Lorusso",
        (
            "Giardino Francesco Lorusso",
            K.GREEN_AREA,
            "Navile",
            "Via dell'Arcoveggio, Bologna",
            "44.518600",
            "11.349200",
        ),
        "resident",
        True,
        None,
        24,
        60,
        "suspended",
    ),
    (
        "Free Wi-Fi corner in Bolognina",
        (
            "Bolognina community network",
            K.DIGITAL,
            "Navile",
            "Piazza dell'Unità, Bologna",
            "44.510700",
            "11.348600",
        ),
        "resident2",
        False,
        None,
        12,
        400,
        "expired",
    ),
]


# Days between starting an accord and its start date: co-design, agreement, signatures.
DRAFTING_DAYS = 40


def _day(day: dt.date, offset: int = 0, hour: int = 10):
    """Travel to `hour` o'clock of the day `offset` days from `day` (never past now)."""
    moment = timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=offset), dt.time(hour))
    )
    return travel_to(min(moment, timezone.now() - dt.timedelta(minutes=5)))


def seed(stdout) -> None:
    if not getattr(settings, "DEMO_ACCOUNTS", False):
        stdout.write("DEMO_ACCOUNTS is off: no demo accords created.")
        return
    # No transaction around the seeding: every service is its own (durable) transaction.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _seed()


def _users() -> dict[str, User]:
    return {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@partnercity.local")
    }


def _seed() -> None:
    users = _users()
    # A group of its own, so the claims demo's group keeps exactly one approved claim.
    group, _created = CivicGroup.objects.get_or_create(
        name="Friends of the Montagnola",
        defaults={
            "kind": CivicGroup.Kind.ASSOCIATION,
            "description": "Neighbours of the Montagnola park and of the Bolognina gardens.",
            "registration_number": "BO-APS-2031",
            "created_by": users["resident"],
        },
    )
    Membership.objects.get_or_create(
        group=group, user=users["resident"], defaults={"is_representative": True}
    )
    Membership.objects.get_or_create(group=group, user=users["resident2"])
    for title, place, author, with_group, coauthor, months, days_ago, target in SCENARIOS:
        if Claim.objects.filter(title=title).exists():  # its story was told by a previous run
            continue
        claim = _approved_claim(
            title,
            place,
            users[author],
            group if with_group else None,
            users.get(coauthor) if coauthor else None,
            months,
            users["officer"],
            timezone.localdate() - dt.timedelta(days=days_ago + DRAFTING_DAYS),
        )
        start = timezone.localdate() - dt.timedelta(days=days_ago)
        with _day(start, -DRAFTING_DAYS):
            accord = services.accord_start(actor=users["officer"], claim=claim, start_date=start)
        _STEPS[target](accord, users)


def _approved_claim(title, place, author, group, coauthor, months, officer, approved_on) -> Claim:
    """The claim's whole story through the claims services, ending on `approved_on`."""
    name, kind, district, address, lat, lon = place
    resource, _created = UrbanResource.objects.get_or_create(
        name=name,
        defaults={
            "kind": kind,
            "district": district,
            "address": address,
            "latitude": lat,
            "longitude": lon,
            "created_by": officer,
        },
    )
    complex_track = kind == K.BUILDING
    with _day(approved_on, -90):
        claim = claims.claim_create(
            author=author,
            group=group,
            data={
                "title": title,
                "summary": f"{title}: neighbours take care of it with the city's help.",
                "motivation": "The place is loved but needs regular care.",
                "objectives": "Keep the place clean, welcoming and open to everyone.\n"
                "Involve the neighbours and the schools nearby.",
                "activities": "Monthly clean-up mornings.\nTwo open days a year.",
                "schedule": "From March to November, first Saturday of the month.",
                "intensity": Claim.Intensity.CONTINUOUS_CARE,
                "field": Claim.Field.DIGITAL if kind == K.DIGITAL else Claim.Field.PUBLIC_SPACE,
                "resources_offered": "Volunteers, their time and their own tools; a yearly report.",
                "support_requested": "Tools on loan, waste collection, insurance for the "
                "volunteers.",
                "requested_duration_months": months,
                "track": Claim.Track.COMPLEX if complex_track else Claim.Track.ORDINARY,
                "resource": resource,
            },
        )
        if coauthor is not None:
            claims.coauthor_invite(actor=author, claim=claim, email=coauthor.email)
    if coauthor is not None:
        with _day(approved_on, -89):
            claims.coauthor_answer(user=coauthor, claim=claim, accept=True)
    with _day(approved_on, -88):
        claims.claim_submit(actor=author, claim=claim)
    with _day(approved_on, -86):
        claims.claim_screening_start(actor=officer, claim=claim)
    with _day(approved_on, -84):
        claims.claim_screen(actor=officer, claim=claim, outcome="admissible")
    claim.refresh_from_db()
    with travel_to(claim.consultation_ends_at + dt.timedelta(minutes=5)):
        claims.claim_consultation_close(claim=claim)
    reasons = "The plan fits the area; the consultation raised no objection."
    if complex_track:
        with _day(approved_on, -10):
            claims.claim_refer_to_executive(actor=officer, claim=claim, reason=reasons)
    with _day(approved_on):
        claims.claim_decide(actor=officer, claim=claim, approve=True, reasons=reasons)
    claim.refresh_from_db()
    return claim


def _support_version(accord: Accord, actor) -> AccordVersion:
    latest = accord.versions.order_by("-number").first()
    draft = VersionDraft.from_version(latest)
    draft.support_items = [
        SupportItemDraft(
            kind="materials_on_loan",
            description="Rakes, shovels and a wheelbarrow",
            quantity=Decimal("8"),
            unit="pieces",
            value=Decimal("260"),
        ),
        SupportItemDraft(
            kind="protective_equipment",
            description="Work gloves and vests",
            quantity=Decimal("20"),
            unit="sets",
        ),
        SupportItemDraft(
            kind="utilities",
            description="Waste collection after each clean-up",
            quantity=Decimal("9"),
            unit="collections",
        ),
        SupportItemDraft(
            kind="reimbursement",
            description="Plants and seeds, with receipts",
            value=Decimal("400"),
        ),
    ]
    draft.city_commitments = (
        "The city lends the tools, provides protective equipment, collects the waste after "
        "each clean-up, insures the volunteers and reimburses documented costs up to the cap."
    )
    return services.version_create(
        actor=actor,
        accord=accord,
        draft=draft,
        change_note="Support items agreed at the first meeting.",
    )


def _codesign(accord: Accord, users) -> AccordVersion:
    rep = _civic_user(accord, users)
    start = _start(accord)
    with _day(start, 2 - DRAFTING_DAYS):
        v2 = _support_version(accord, users["officer"])
    with _day(start, 4 - DRAFTING_DAYS):
        services.version_comment(
            actor=rep,
            version=v2,
            body="Could the gloves come in small sizes too? Many volunteers are children.",
        )
    with _day(start, 5 - DRAFTING_DAYS):
        services.version_comment(actor=users["officer"], version=v2, body="Yes, we will add them.")
    draft = VersionDraft.from_version(v2)
    draft.civic_commitments += "\nThe group keeps a register of the volunteers present."
    with _day(start, 7 - DRAFTING_DAYS):
        v3 = services.version_create(
            actor=rep, accord=accord, draft=draft, change_note="Register of volunteers."
        )
    return v3


def _start(accord: Accord) -> dt.date:
    """The start date in the text (the accord itself takes it when it comes into force)."""
    return accord.versions.order_by("-number").first().start_date


def _civic_user(accord: Accord, users) -> User:
    party = accord.parties.filter(side="civic").order_by("position").first()
    return party.user if party.user_id else users["resident"]


def _agree(accord: Accord, users) -> AccordVersion:
    version = _codesign(accord, users)
    with _day(_start(accord), 10 - DRAFTING_DAYS):
        services.version_propose_final(actor=_civic_user(accord, users), version=version)
    with _day(_start(accord), 12 - DRAFTING_DAYS):
        services.version_agree(actor=users["officer"], version=version)
    return version


def _sign_all(accord: Accord, users) -> None:
    """Every party signs, one a day, the last one a few days before the start date."""
    for n, party in enumerate(accord.parties.order_by("position")):
        if party.side == "city":
            signer = users["signatory"]
        elif party.user_id:
            signer = party.user
        else:
            signer = users["resident"]
        with _day(_start(accord), n - 10, hour=11):
            services.accord_sign(actor=signer, accord=accord, credential=DEMO_PASSWORD, party=party)


def _to_drafting(accord, users):
    v3 = _codesign(accord, users)
    with _day(_start(accord), 10 - DRAFTING_DAYS):
        services.version_propose_final(actor=users["officer"], version=v3)


def _to_awaiting(accord, users):
    _agree(accord, users)
    with _day(_start(accord), -10, hour=11):
        services.accord_sign(actor=users["resident2"], accord=accord, credential=DEMO_PASSWORD)


def _to_active(accord, users):
    _agree(accord, users)
    _sign_all(accord, users)
    accord.refresh_from_db()
    start = accord.start_date
    items = {i.kind: i for i in accord.current_version.support_items.all()}
    officer = users["officer"]
    with _day(start, 7, hour=16):
        for kind in ("materials_on_loan", "protective_equipment"):
            services.support_item_update(
                actor=officer, item=items[kind], status="delivered", on=start + dt.timedelta(days=7)
            )
    with _day(start, 62):
        first = services.report_submit(
            actor=users["resident"],
            accord=accord,
            period_start=start,
            period_end=start + dt.timedelta(days=59),
            activities="Two clean-up mornings, pruning of the hedges along Via Irnerio, a new "
            "flower bed near the fountain planted with the primary school.",
            volunteer_hours=Decimal("146"),
            participants=38,
            resources_used="The tools on loan, 12 pairs of gloves, €180 of plants (receipts "
            "attached to the reimbursement request).",
            photos=[_photo("montagnola-flowers.jpg", (46, 125, 50))],
        )
    with _day(start, 65):
        services.report_acknowledge(
            actor=officer, report=first, note="Thank you: the new flower bed is lovely."
        )
    with _day(timezone.localdate(), 0, hour=9):
        services.report_submit(
            actor=users["resident"],
            accord=accord,
            period_start=start + dt.timedelta(days=60),
            period_end=timezone.localdate() - dt.timedelta(days=1),
            activities="Summer watering rota, one open day with a concert on the stairs.",
            volunteer_hours=Decimal("98.5"),
            participants=25,
            photos=[_photo("montagnola-open-day.jpg", (30, 90, 160))],
        )


def _to_suspended(accord, users):
    _to_active_simple(accord, users)
    with _day(timezone.localdate(), -5):
        services.accord_suspend(
            actor=users["officer"],
            accord=accord,
            reason="The Parks department is pruning the old trees; the garden is closed to the "
            "public until the works end.",
        )


def _to_active_simple(accord, users):
    _agree(accord, users)
    _sign_all(accord, users)
    accord.refresh_from_db()


def _to_expired(accord, users):
    _to_active_simple(accord, users)
    accord.refresh_from_db()
    # The nightly deadline run of the day after its end date.
    day_after = accord.end_date + dt.timedelta(days=1)
    with _day(day_after, 0, hour=2):
        services.accord_expire(accord=accord, today=day_after)


_STEPS = {
    "drafting": _to_drafting,
    "awaiting_signatures": _to_awaiting,
    "active": _to_active,
    "suspended": _to_suspended,
    "expired": _to_expired,
}


def _photo(name: str, colour) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 420), colour)
    draw = ImageDraw.Draw(image)
    for i in range(10):
        draw.ellipse(
            (40 + i * 58, 240 - (i % 4) * 35, 90 + i * 58, 290 - (i % 4) * 35),
            fill=(230, 60 + i * 15, 80),
        )
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def describe() -> str:
    return "\n".join(
        [
            "Accords:",
            "  /accords/  public registry (filters, map, CSV/JSON export)",
            "  /accords/mine/  your accords; officers start one from the approved claim",
            "  Demo accords: co-design (Mercato Navile), awaiting signatures (Via Zamboni: "
            "resident@ and signatory@ still sign), active with reports (Montagnola), "
            "suspended (Giardino Lorusso), expired (Bolognina Wi-Fi).",
        ]
    )
