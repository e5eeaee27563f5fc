"""Reads of the records app: attendance counts, minutes, decisions, opinions."""

from django.db.models import Count, F, Prefetch, Q

from assemblies.models import Assembly, Meeting, Registration
from assemblies.motions.models import Motion
from assemblies.records.models import Decision, MinutesVersion, Opinion
from assemblies.records.rules import LIVE_MEETINGS, opinion_policy, opinions_to_vote_q

ATTENDED = Q(checked_in_at__isnull=False) | Q(attended_online=True)


def attendance_counts(meeting: Meeting) -> dict:
    """Who attended, by channel, in one query. Checked in at the door counts as in the room
    even when also marked online."""
    seats = Registration.objects.filter(meeting=meeting, state=Registration.State.REGISTERED)
    return seats.aggregate(
        in_room=Count("pk", filter=Q(checked_in_at__isnull=False)),
        online=Count("pk", filter=Q(checked_in_at__isnull=True, attended_online=True)),
        total=Count("pk", filter=ATTENDED),
        registered=Count("pk"),
    )


def attendance_list(meeting: Meeting):
    """Every seat holder, attendees first (for the chair and the coordinators)."""
    return (
        Registration.objects.filter(meeting=meeting, state=Registration.State.REGISTERED)
        .select_related("user")
        .order_by(F("checked_in_at").asc(nulls_last=True), "user__display_name", "id")
    )


def minutes_versions(meeting: Meeting):
    return (
        MinutesVersion.objects.filter(meeting=meeting).select_related("author").order_by("-number")
    )


def minutes_latest(meeting: Meeting) -> MinutesVersion | None:
    return minutes_versions(meeting).first()


def published_minutes(meeting: Meeting) -> MinutesVersion | None:
    if meeting.state != Meeting.State.MINUTES_PUBLISHED:
        return None
    return minutes_latest(meeting)


def meeting_decisions(meeting: Meeting):
    """The meeting's decisions, each with the opinions it adopted (`decision.opinions`)."""
    return (
        Decision.objects.filter(meeting=meeting)
        .select_related("agenda_item")
        .prefetch_related(
            Prefetch("opinions", queryset=Opinion.objects.select_related("claim").order_by("pk"))
        )
    )


def public_decisions(assembly: Assembly):
    """Decisions of meetings whose minutes are published, newest meeting first."""
    return (
        Decision.objects.filter(
            meeting__assembly=assembly, meeting__state=Meeting.State.MINUTES_PUBLISHED
        )
        .select_related("meeting", "agenda_item")
        .order_by("-meeting__starts_at", "meeting_id", "position", "id")
    )


def assembly_opinions(user, assembly: Assembly):
    """The opinions the user may see: adopted and withdrawn ones; drafts for coordinators."""
    return (
        opinion_policy.queryset(user, "view")
        .filter(assembly=assembly)
        .select_related("claim", "decision__meeting", "motion__meeting")
        .order_by("-adopted_at", "-created_at", "-id")
    )


def opinions_to_vote(meeting: Meeting):
    """The draft opinions of the meeting's assembly that its chair can put to a motion now:
    on claims still in consultation, before no other motion."""
    return (
        Opinion.objects.filter(opinions_to_vote_q(), assembly_id=meeting.assembly_id)
        .select_related("claim")
        .order_by("claim__title", "pk")
    )


def opinion_motions(opinion: Opinion):
    """Every motion that put the opinion to the vote, oldest first, with its meeting (not the
    drafts a chair discarded)."""
    return (
        Motion.objects.filter(opinion=opinion)
        .exclude(state=Motion.State.DISCARDED)
        .select_related("meeting", "opinion")
        .order_by("created_at", "pk")
    )


def meetings_to_vote(opinion: Opinion):
    """Meetings of the opinion's assembly where it can still be put to the vote (planned or
    in progress), soonest first."""
    return Meeting.objects.filter(
        assembly_id=opinion.assembly_id, state__in=LIVE_MEETINGS
    ).order_by("starts_at", "pk")
