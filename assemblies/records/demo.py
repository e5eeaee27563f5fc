"""Demo: the minutes of the Assembly of the Commons' past meeting (two versions, published,
with its decisions and a correction of the attendance) and a formal opinion on the claim in
public consultation, drafted two days ago and adopted today by a motion voted in today's
meeting. Idempotent; every step runs through the services at the time it would have happened
(core.clock)."""

import datetime as dt

from django.utils import timezone

from assemblies.demo import PAST_TITLE, TODAY_TITLE
from assemblies.models import Assembly, Meeting
from assemblies.motions import services as motion_services
from assemblies.motions.models import Choice, Motion, MotionKind
from assemblies.motions.rules import MOTIONS, Action
from assemblies.records import services
from assemblies.records.models import Decision, Opinion
from assemblies.records.rules import claim_in_consultation
from citizens.models import User
from core.clock import travel_to
from proposals.models import Claim

CLAIM_TITLE = "Sunday care of Giardino Villa Angeletti"

MINUTES_V1 = """Present: the chair and the members checked in at the door.

1. Welcome and the charter. The chair read the charter; no changes proposed.

2. The accords in force. The communities reported on their work. The assembly asks the
communities to publish their activity reports before the spring plenary.

3. Opinions requested by the city. None this time."""

MINUTES_V2 = """Present: the chair and the members checked in at the door (see the attendance).

1. Welcome and the charter. The chair read the charter; no changes proposed.

2. The accords in force. The communities reported on their work. The assembly asks the
communities to publish their activity reports before the spring plenary (adopted).

3. Opinions requested by the city. None this time; the next claims in consultation will be
discussed at the hybrid meeting in Navile."""

OPINION = (
    "The Assembly of the Commons supports the Sunday care of Giardino Villa Angeletti. It asks "
    "the city to give the group a shared calendar of the garden with the neighbourhood school, "
    "and to supply the watering points the proposers mention, so that the young trees survive "
    "the summer."
)

_summary: dict[str, str] = {}


def _past_minutes(meeting: Meeting, chair) -> None:
    if not meeting.is_closed or meeting.closed_at is None:
        return
    closed = meeting.closed_at
    if meeting.state == Meeting.State.CLOSED:
        items = list(meeting.agenda_items.order_by("position", "id"))
        # The decisions written by hand (the motions' own are recorded when they close).
        if not meeting.decisions.filter(motion_id__isnull=True).exists():
            with travel_to(closed + dt.timedelta(minutes=10)):
                services.decision_add(
                    actor=chair,
                    meeting=meeting,
                    text="The charter stays as it is.",
                    outcome=Decision.Outcome.NOTED,
                    agenda_item=items[0] if items else None,
                )
                services.decision_add(
                    actor=chair,
                    meeting=meeting,
                    text="The accord communities publish their activity reports before the "
                    "spring plenary.",
                    outcome=Decision.Outcome.ADOPTED,
                    agenda_item=items[1] if len(items) > 1 else None,
                    votes_summary="3 yes, 0 no, 0 abstentions",
                )
        # A member who followed online, marked after the meeting.
        absent = meeting.registrations.filter(
            state="registered", checked_in_at__isnull=True, attended_online=False
        ).first()
        if absent is not None and meeting.is_online:
            with travel_to(closed + dt.timedelta(minutes=20)):
                services.attendance_mark_online(actor=chair, registration=absent)
        if not meeting.minutes_versions.exists():
            with travel_to(closed + dt.timedelta(days=1)):
                services.minutes_save(actor=chair, meeting=meeting, text=MINUTES_V1)
            with travel_to(closed + dt.timedelta(days=3)):
                services.minutes_save(
                    actor=chair, meeting=meeting, text=MINUTES_V2, note="Outcome and next steps"
                )
        with travel_to(closed + dt.timedelta(days=4)):
            services.minutes_publish(actor=chair, meeting=meeting)
    meeting.refresh_from_db()
    _summary["minutes"] = f"/assemblies/records/meetings/{meeting.pk}/minutes/"


def _opinion(city: Assembly, chair, today: Meeting | None) -> None:
    """Drafted by the coordinator two days ago, while the claim is in consultation; adopted by
    a motion by consent in today's meeting (opened, voted and closed through the services)."""
    claim = Claim.objects.filter(title=CLAIM_TITLE).first()
    if claim is None:
        return
    opinion = Opinion.objects.filter(assembly=city, claim=claim).first()
    if opinion is None:
        if not claim_in_consultation(claim):
            return
        with travel_to(timezone.now() - dt.timedelta(days=2)):
            opinion = services.opinion_draft(actor=chair, assembly=city, claim=claim, text=OPINION)
    if (
        opinion.is_draft
        and claim_in_consultation(claim)
        and today is not None
        and today.state == Meeting.State.OPEN
    ):
        _adopt_by_motion(opinion, chair, today)
        opinion.refresh_from_db()
    _summary["opinion"] = opinion.get_absolute_url()
    _summary["claim"] = claim.get_absolute_url()
    if opinion.motion_id:
        _summary["motion"] = opinion.motion.get_absolute_url()


def _adopt_by_motion(opinion: Opinion, chair, meeting: Meeting) -> None:
    """The chair puts the draft to a motion by consent on the agenda item on opinions; the
    members present or online consent (one stands aside) and the chair closes the vote."""
    motion = (
        Motion.objects.filter(opinion=opinion, meeting=meeting)
        .filter(state__in=(Motion.State.DRAFT, Motion.State.OPEN))
        .first()
    )
    if motion is None:
        item = meeting.agenda_items.filter(title__icontains="opinion").first()
        motion = motion_services.motion_create(
            actor=chair,
            meeting=meeting,
            title="",  # "Adopt the opinion on …"
            kind=MotionKind.CONSENT,
            agenda_item=item,
            opinion=opinion,
        )
    if motion.is_draft:
        motion_services.motion_open(actor=chair, motion=motion)
        motion.refresh_from_db()
    members = meeting.assembly.voting_members().order_by("pk")
    voters = [m for m in members if MOTIONS.can(m, Action.VOTE, motion)]
    for n, voter in enumerate(voters[:3]):
        choice = Choice.STAND_ASIDE if n == 2 else Choice.CONSENT
        motion_services.vote_cast(actor=voter, motion=motion, choice=choice)
    motion_services.motion_close(actor=chair, motion=motion)


def seed(stdout) -> None:
    city = Assembly.objects.filter(kind=Assembly.Kind.CITY).first()
    chair = User.objects.filter(email="resident@partnercity.local").first()
    if city is None or chair is None:
        stdout.write("Assembly records demo skipped: no Assembly of the Commons.")
        return
    past = Meeting.objects.filter(assembly=city, title=PAST_TITLE).first()
    if past is not None:
        _past_minutes(past, chair)
    today = Meeting.objects.filter(assembly=city, title=TODAY_TITLE).order_by("-starts_at").first()
    _opinion(city, chair, today)


def describe() -> str:
    if not _summary:
        return ""
    lines = ["Assembly records:"]
    if "minutes" in _summary:
        lines.append(f"  published minutes of the past meeting: {_summary['minutes']}")
    if "opinion" in _summary:
        lines.append(
            f"  a formal opinion on a claim in consultation: {_summary['opinion']}"
            f" (shown on {_summary['claim']}; the officer's decision must answer it)"
        )
        if "motion" in _summary:
            lines.append(f"  adopted by today's motion: {_summary['motion']}")
    return "\n".join(lines)
