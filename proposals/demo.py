"""Demo resources and claims in every state (idempotent): part of `manage.py seed_demo`.

Claims are driven through the real services, each step at the moment it happens in the
claim's story (`core.clock.travel_to`: submitted weeks ago, consultations that ended by
themselves), so their timelines, deadlines, audit entries and notifications are ones a real
run produces. Runs after citizens.demo (accounts, departments).
"""

import datetime as dt
import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image, ImageDraw

from citizens.models import CivicGroup, Department, User
from comments.services import comment_post
from core.clock import travel_to
from proposals import services
from proposals.models import Claim, ProcedureConfig, UrbanResource

K = UrbanResource.Kind
S = Claim.State

RESOURCES = [
    # name, kind, district, address, lat, lon, owner, description
    (
        "Giardino Margherita",
        K.GREEN_AREA,
        "Centro",
        "Viale Giovanni Gozzadini, Bologna",
        "44.482760",
        "11.354470",
        "municipal",
        "The largest park of the city centre, with a pond, a rose garden and old trees.",
    ),
    (
        "Piazza Aldrovandi",
        K.SQUARE,
        "Centro",
        "Piazza Ulisse Aldrovandi, Bologna",
        "44.492640",
        "11.350850",
        "municipal",
        "A long market square with benches and trees.",
    ),
    (
        "Via del Pratello",
        K.STREET,
        "Centro",
        "Via del Pratello, Bologna",
        "44.494200",
        "11.331900",
        "municipal",
        "A lively street with porticoes.",
    ),
    (
        "Courtyard of the former Carducci school",
        K.SCHOOL_GROUND,
        "Centro",
        "Via Dante 5, Bologna",
        "44.489300",
        "11.356900",
        "municipal",
        "A closed school courtyard with a basketball court.",
    ),
    (
        "Parco della Zucca",
        K.GREEN_AREA,
        "Navile",
        "Via di Saliceto, Bologna",
        "44.516100",
        "11.351400",
        "municipal",
        "A neighbourhood park next to the memorial.",
    ),
    (
        "Former Mercato Navile building",
        K.BUILDING,
        "Navile",
        "Via Gobetti, Bologna",
        "44.512000",
        "11.343000",
        "other_public",
        "A disused market hall owned by a public body.",
    ),
    (
        "Giardino Villa Angeletti",
        K.GREEN_AREA,
        "Navile",
        "Via Carracci, Bologna",
        "44.509300",
        "11.336400",
        "municipal",
        "A park along the Navile canal.",
    ),
    (
        "Bolognina community network",
        K.DIGITAL,
        "Navile",
        "Piazza dell'Unità, Bologna",
        "44.510700",
        "11.348600",
        "municipal",
        "Public Wi-Fi and a neighbourhood website.",
    ),
]

APPROVED_TITLE = "Friends of Giardino Margherita look after the rose garden"


def _photo() -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 420), (46, 125, 50))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.ellipse(
            (30 + i * 50, 260 - (i % 3) * 40, 80 + i * 50, 310 - (i % 3) * 40),
            fill=(200, 40 + i * 10, 90),
        )
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=80)
    return SimpleUploadedFile("rose-garden.jpg", buf.getvalue(), content_type="image/jpeg")


def _text(title: str, what: str, **extra) -> dict:
    data = {
        "title": title,
        "summary": f"{what} Open to every neighbour who wants to help.",
        "motivation": "The place is loved but neglected; neighbours want to take part.",
        "objectives": "Keep it clean, welcoming and used by people of every age.",
        "activities": what,
        "schedule": "Weekly from March to November, with two open days a year.",
        "intensity": Claim.Intensity.CONTINUOUS_CARE,
        "field": Claim.Field.PUBLIC_SPACE,
        "resources_offered": "Volunteers, their tools and their time.",
        "support_requested": "Tools on loan, waste collection, insurance for volunteers.",
        "requested_duration_months": 24,
        "track": Claim.Track.ORDINARY,
    }
    data.update(extra)
    return data


def _at(now: dt.datetime, days_ago: float):
    """Run the next steps `days_ago` days before `now` (the clock stands still meanwhile)."""
    return travel_to(now - dt.timedelta(days=days_ago))


def _close_consultation(claim: Claim) -> Claim:
    """The consultation ends by itself when its time is up (the deadline run closes it)."""
    claim.refresh_from_db()
    with travel_to(claim.consultation_ends_at + dt.timedelta(minutes=5)):
        return services.claim_consultation_close(claim=claim)


def _answer(review, officer, opinion="favourable", conditions=""):
    checklist = {i.key: "ok" for i in ProcedureConfig.get_solo().active_checklist()}
    return services.review_answer(
        actor=officer,
        review=review,
        opinion=opinion,
        conditions=conditions,
        checklist=checklist,
        notes="Site visit done.",
    )


def seed(stdout) -> None:
    if not getattr(settings, "DEMO_ACCOUNTS", False):
        stdout.write("DEMO_ACCOUNTS is off: no demo claims created.")
        return
    # Notifications are created in-app; demo emails would only flood the console.
    # No transaction around the seeding: every service is its own transaction.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        _seed(timezone.now().replace(minute=0, second=0, microsecond=0))


def _seed(now: dt.datetime) -> None:  # noqa: C901 - the demo's story, step by step
    users = {
        u.email.split("@")[0]: u for u in User.objects.filter(email__endswith="@partnercity.local")
    }
    departments = {d.slug: d for d in Department.objects.all()}
    config = ProcedureConfig.get_solo()
    if config.screening_department is None and "commons" in departments:
        config.screening_department = departments["commons"]
        config.save(update_fields=["screening_department"])
    res = {}
    for name, kind, district, address, lat, lon, owner, description in RESOURCES:
        res[name], _created = UrbanResource.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "district": district,
                "address": address,
                "latitude": lat,
                "longitude": lon,
                "owner": owner,
                "description": description,
                "created_by": users.get("officer"),
            },
        )
    rita, nico = users["resident"], users["resident2"]
    olga, piero = users["officer"], users["parks"]
    existing = set(Claim.objects.values_list("title", flat=True))

    def claim(title, author, data, *, days_ago, submit=True, group=None, uploads=()):
        """Written and (unless `submit` is off) submitted `days_ago` days ago."""
        if title in existing:
            return None
        with _at(now, days_ago):
            c = services.claim_create(author=author, data=data, group=group, uploads=uploads)
        if submit:
            with _at(now, days_ago - 0.1):
                services.claim_submit(actor=author, claim=c)
        return c

    # Draft (private to Nico).
    claim(
        "Reading corner in Piazza Aldrovandi",
        nico,
        _text(
            "Reading corner in Piazza Aldrovandi",
            "Book exchange shelves and benches.",
            resource=res["Piazza Aldrovandi"],
        ),
        days_ago=5,
        submit=False,
    )

    # Submitted, and already late for the city: first in the office queue.
    c = claim(
        "Bike repair point on Via del Pratello",
        nico,
        _text(
            "Bike repair point on Via del Pratello",
            "A free self-repair bike stand.",
            resource=res["Via del Pratello"],
            field=Claim.Field.URBAN_CREATIVITY,
            intensity=Claim.Intensity.OCCASIONAL_CARE,
        ),
        days_ago=12,  # screening takes 10 days: due two days ago
    )

    # Admissibility check in progress.
    c = claim(
        "Community vegetable garden in Parco della Zucca",
        nico,
        _text(
            "Community vegetable garden in Parco della Zucca",
            "Raised beds for vegetables, tended by neighbours and the primary school.",
            resource=res["Parco della Zucca"],
        ),
        days_ago=9,
    )
    if c:
        with _at(now, 7):
            services.claim_screening_start(actor=olga, claim=c)

    # Awaiting documents; a new location, not yet in the registry.
    c = claim(
        "Murals in the Via Stalingrado underpass",
        rita,
        _text(
            "Murals in the Via Stalingrado underpass",
            "Painting murals with teenagers of the neighbourhood.",
            location_address="Underpass of Via Stalingrado, Bologna",
            district="Navile",
            location_latitude="44.513000",
            location_longitude="11.355000",
            field=Claim.Field.URBAN_CREATIVITY,
            intensity=Claim.Intensity.REGENERATION,
        ),
        days_ago=20,
    )
    if c:
        with _at(now, 18):
            services.claim_screening_start(actor=olga, claim=c)
        with _at(now, 15):
            services.claim_request_documents(
                actor=olga,
                claim=c,
                reason="Please send the sketches of the murals and the consent of the road owner.",
            )

    # Public consultation, open: supports, a comment, an objection, a pending review.
    c = claim(
        "Sunday care of Giardino Villa Angeletti",
        nico,
        _text(
            "Sunday care of Giardino Villa Angeletti",
            "Picking up litter and watering young trees every Sunday.",
            resource=res["Giardino Villa Angeletti"],
        ),
        days_ago=14,
    )
    if c:
        with _at(now, 12):
            services.claim_screening_start(actor=olga, claim=c)
        with _at(now, 8):  # consultation of 15 days: a week left
            services.claim_screen(actor=olga, claim=c, outcome="admissible")
        with _at(now, 6):
            services.support_add(user=rita, claim=c)
        with _at(now, 5):
            comment_post(
                author=rita, target=c, body="Great idea! Could you also look after the canal bank?"
            )
        with _at(now, 4):
            services.objection_add(
                author=rita, claim=c, reason="Sunday mornings are when the dog owners' group meets."
            )
        if "parks" in departments:
            with _at(now, 3):
                services.review_request(
                    actor=olga,
                    claim=c,
                    department=departments["parks"],
                    message="Are the young trees on the watering plan?",
                )

    # Technical review: one opinion given, one still pending.
    c = claim(
        "Free Wi-Fi for the Bolognina square",
        rita,
        _text(
            "Free Wi-Fi for the Bolognina square",
            "Volunteers keep the community network and its website running.",
            resource=res["Bolognina community network"],
            field=Claim.Field.DIGITAL,
            intensity=Claim.Intensity.SHARED_MANAGEMENT,
        ),
        days_ago=45,
    )
    if c:
        with _at(now, 43):
            services.claim_screening_start(actor=olga, claim=c)
        with _at(now, 38):
            services.claim_screen(actor=olga, claim=c, outcome="admissible")
        with _at(now, 30):
            services.support_add(user=nico, claim=c)
        c = _close_consultation(c)
        with _at(now, 21):
            if "works" in departments:
                services.review_request(
                    actor=olga,
                    claim=c,
                    department=departments["works"],
                    message="Power supply for the antennas?",
                )
            review = None
            if "mobility" in departments:
                review = services.review_request(
                    actor=olga, claim=c, department=departments["mobility"]
                )
        if review is not None:
            with _at(now, 10):
                _answer(review, users["admin"])

    # Complex track, waiting for the executive.
    c = claim(
        "Shared management of the former Mercato Navile",
        nico,
        _text(
            "Shared management of the former Mercato Navile",
            "A neighbourhood house: workshops, a repair café and a study room.",
            resource=res["Former Mercato Navile building"],
            field=Claim.Field.BUILDING,
            intensity=Claim.Intensity.SHARED_MANAGEMENT,
            track=Claim.Track.COMPLEX,
            requested_duration_months=72,
        ),
        days_ago=90,
    )
    if c:
        with _at(now, 88):
            services.claim_screening_start(actor=olga, claim=c)
        with _at(now, 80):  # complex track: 30 days of consultation
            services.claim_screen(actor=olga, claim=c, outcome="admissible")
        with _at(now, 70):
            services.support_add(user=rita, claim=c)
        c = _close_consultation(c)
        if "works" in departments:
            with _at(now, 45):
                review = services.review_request(
                    actor=olga, claim=c, department=departments["works"]
                )
            with _at(now, 25):
                _answer(
                    review,
                    users["admin"],
                    opinion="conditions",
                    conditions="Fire safety certificate before opening to the public.",
                )
        with _at(now, 15):
            services.claim_refer_to_executive(
                actor=olga, claim=c, reason="Favourable evaluation; asset of high value."
            )

    # Approved: the Friends of Giardino Margherita, through their representative Rita.
    group = CivicGroup.objects.filter(name="Friends of Giardino Margherita").first()
    c = claim(
        APPROVED_TITLE,
        rita,
        _text(
            APPROVED_TITLE,
            "Pruning, weeding and guided walks in the rose garden.",
            resource=res["Giardino Margherita"],
            requested_duration_months=36,
        ),
        group=group,
        uploads=[_photo()],
        days_ago=75,
    )
    if c:
        with _at(now, 73):
            services.claim_screening_start(actor=olga, claim=c)
        with _at(now, 68):
            services.claim_screen(actor=olga, claim=c, outcome="admissible")
        with _at(now, 60):
            services.support_add(user=nico, claim=c)
            comment_post(author=nico, target=c, body="Count me in for the guided walks!")
        c = _close_consultation(c)
        if "parks" in departments:
            with _at(now, 50):
                review = services.review_request(
                    actor=olga, claim=c, department=departments["parks"]
                )
            with _at(now, 40):
                _answer(
                    review,
                    piero,
                    opinion="conditions",
                    conditions="No pesticides; pruning only from November to February.",
                )
        with _at(now, 30):
            services.claim_decide(
                actor=olga,
                claim=c,
                approve=True,
                reasons="The group has cared for the park since 2019; the plan respects the "
                "conditions of the Parks department. Ready for the accord.",
            )

    # Rejected after the technical review.
    c = claim(
        "Car-free play street at the Carducci courtyard",
        nico,
        _text(
            "Car-free play street at the Carducci courtyard",
            "Opening the courtyard for children's games after school.",
            resource=res["Courtyard of the former Carducci school"],
        ),
        days_ago=70,
    )
    if c:
        with _at(now, 68):
            services.claim_screening_start(actor=olga, claim=c)
        with _at(now, 63):
            services.claim_screen(actor=olga, claim=c, outcome="admissible")
        c = _close_consultation(c)
        with _at(now, 35):
            services.claim_decide(
                actor=olga,
                claim=c,
                approve=False,
                reasons="The courtyard is being renovated until next year and cannot be opened.",
            )

    # Withdrawn.
    c = claim(
        "Winter market in Piazza Aldrovandi",
        rita,
        _text(
            "Winter market in Piazza Aldrovandi",
            "A small market of local producers.",
            resource=res["Piazza Aldrovandi"],
            intensity=Claim.Intensity.OCCASIONAL_CARE,
        ),
        days_ago=40,
    )
    if c:
        with _at(now, 33):
            services.claim_withdraw(
                actor=rita, claim=c, reason="We will join the reading corner project instead."
            )


def describe() -> str:
    return "\n".join(
        [
            "Claims (proposals):",
            "  /resources/  registry and map      /claims/  public claims (every state)",
            "  /office/     officer workspace (officer@, parks@)   /office/reviews/  review inbox",
            f"  Approved, ready for an accord: “{APPROVED_TITLE}”",
            "  (Friends of Giardino Margherita; representative resident@partnercity.local)",
        ]
    )
