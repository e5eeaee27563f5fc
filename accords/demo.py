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
from accords.models import Accord, AccordVersion, Signature
from accords.services import SupportItemDraft, VersionDraft
from citizens.demo import DEMO_PASSWORD
from citizens.models import CivicGroup, Membership, User
from proposals.models import Claim, ClaimCoauthor, UrbanResource

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
        if Accord.objects.filter(claim__title=title).exists():
            continue
        claim = _approved_claim(
            title,
            place,
            users[author],
            group if with_group else None,
            users.get(coauthor) if coauthor else None,
            months,
            users["officer"],
        )
        start = timezone.localdate() - dt.timedelta(days=days_ago)
        accord = services.accord_start(actor=users["officer"], claim=claim, start_date=start)
        _STEPS[target](accord, users)


def _approved_claim(title, place, author, group, coauthor, months, officer) -> Claim:
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
    now = timezone.now()
    claim = Claim.objects.create(
        title=title,
        summary=f"{title}: neighbours take care of it with the city's help.",
        motivation="The place is loved but needs regular care.",
        objectives="Keep the place clean, welcoming and open to everyone.\n"
        "Involve the neighbours and the schools nearby.",
        activities="Monthly clean-up mornings.\nTwo open days a year.",
        schedule="From March to November, first Saturday of the month.",
        intensity=Claim.Intensity.CONTINUOUS_CARE,
        field=Claim.Field.DIGITAL if kind == K.DIGITAL else Claim.Field.PUBLIC_SPACE,
        resources_offered="Volunteers, their time and their own tools; a yearly report.",
        support_requested="Tools on loan, waste collection, insurance for the volunteers.",
        requested_duration_months=months,
        track=Claim.Track.COMPLEX if kind == K.BUILDING else Claim.Track.ORDINARY,
        resource=resource,
        district=district,
        created_by=author,
        group=group,
        state=Claim.State.APPROVED,
        submitted_at=now - dt.timedelta(days=60),
        decided_at=now - dt.timedelta(days=10),
        decided_by=officer,
        decision_reasons="Favourable technical reviews; the plan fits the area.",
    )
    if coauthor is not None:
        ClaimCoauthor.objects.create(
            claim=claim, user=coauthor, state=ClaimCoauthor.State.ACCEPTED, answered_at=now
        )
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
    v2 = _support_version(accord, users["officer"])
    services.version_comment(
        actor=rep,
        version=v2,
        body="Could the gloves come in small sizes too? Many volunteers are children.",
    )
    services.version_comment(actor=users["officer"], version=v2, body="Yes, we will add them.")
    draft = VersionDraft.from_version(v2)
    draft.civic_commitments += "\nThe group keeps a register of the volunteers present."
    v3 = services.version_create(
        actor=rep, accord=accord, draft=draft, change_note="Register of volunteers."
    )
    return v3


def _civic_user(accord: Accord, users) -> User:
    party = accord.parties.filter(side="civic").order_by("position").first()
    return party.user if party.user_id else users["resident"]


def _agree(accord: Accord, users) -> AccordVersion:
    version = _codesign(accord, users)
    services.version_propose_final(actor=_civic_user(accord, users), version=version)
    services.version_agree(actor=users["officer"], version=version)
    return version


def _sign_all(accord: Accord, users) -> None:
    for party in accord.parties.order_by("position"):
        if party.side == "city":
            signer = users["signatory"]
        elif party.user_id:
            signer = party.user
        else:
            signer = users["resident"]
        services.accord_sign(actor=signer, accord=accord, credential=DEMO_PASSWORD, party=party)


def _backdate(accord: Accord, days: int) -> None:
    """Make a demo accord look signed when its term began (timestamps only, not the text)."""
    when = timezone.now() - dt.timedelta(days=days)
    Accord.objects.filter(pk=accord.pk).update(
        created_at=when - dt.timedelta(days=20), signed_at=when, state_changed_at=when
    )
    AccordVersion.objects.filter(accord=accord).update(
        created_at=when - dt.timedelta(days=5), locked_at=when - dt.timedelta(days=1)
    )
    AccordVersion.objects.filter(accord=accord, signed_at__isnull=False).update(signed_at=when)
    Signature.objects.filter(version__accord=accord).update(signed_at=when)


def _to_drafting(accord, users):
    v3 = _codesign(accord, users)
    services.version_propose_final(actor=users["officer"], version=v3)


def _to_awaiting(accord, users):
    _agree(accord, users)
    services.accord_sign(actor=users["resident2"], accord=accord, credential=DEMO_PASSWORD)


def _to_active(accord, users):
    _agree(accord, users)
    _sign_all(accord, users)
    accord.refresh_from_db()
    _backdate(accord, 120)
    start = accord.start_date
    items = {i.kind: i for i in accord.current_version.support_items.all()}
    officer = users["officer"]
    for kind in ("materials_on_loan", "protective_equipment"):
        services.support_item_update(
            actor=officer, item=items[kind], status="delivered", on=start + dt.timedelta(days=7)
        )
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
    services.report_acknowledge(
        actor=officer, report=first, note="Thank you: the new flower bed is lovely."
    )
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
    _to_active_simple(accord, users, days=60)
    services.accord_suspend(
        actor=users["officer"],
        accord=accord,
        reason="The Parks department is pruning the old trees; the garden is closed to the "
        "public until the works end.",
    )


def _to_active_simple(accord, users, *, days):
    _agree(accord, users)
    _sign_all(accord, users)
    accord.refresh_from_db()
    _backdate(accord, days)


def _to_expired(accord, users):
    _to_active_simple(accord, users, days=400)
    accord.refresh_from_db()
    services.accord_expire(accord=accord, today=timezone.localdate())


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
