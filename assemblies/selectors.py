"""Read-side queries of the assemblies (lists with their counts in one query each)."""

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from assemblies.models import (
    Adherence,
    Assembly,
    Meeting,
    MeetingState,
    MembershipState,
    RegistrationState,
)


def assemblies_with_counts():
    now = timezone.now()
    next_meeting = (
        Meeting.objects.filter(assembly=OuterRef("pk"), ends_at__gte=now)
        .exclude(state=MeetingState.CANCELLED)
        .order_by("starts_at")
    )
    return (
        Assembly.objects.annotate(
            member_count=Count(
                "memberships", filter=Q(memberships__state=MembershipState.ACTIVE), distinct=True
            ),
            next_meeting_at=Subquery(next_meeting.values("starts_at")[:1]),
            next_meeting_id=Subquery(next_meeting.values("pk")[:1]),
        )
        .select_related("accord")
        .order_by("kind", "name")
    )


def meetings_with_counts(base=None):
    qs = base if base is not None else Meeting.objects.all()
    return qs.select_related("assembly").annotate(
        registered_count=Count(
            "registrations",
            filter=Q(registrations__state=RegistrationState.REGISTERED),
            distinct=True,
        ),
        waiting_count=Count(
            "registrations",
            filter=Q(registrations__state=RegistrationState.WAITING),
            distinct=True,
        ),
    )


def upcoming(qs):
    return (
        qs.filter(ends_at__gte=timezone.now())
        .exclude(state=MeetingState.CANCELLED)
        .order_by("starts_at", "id")
    )


def past(qs):
    return qs.filter(ends_at__lt=timezone.now()).order_by("-starts_at", "-id")


def chamber_groups(city):
    """The civic groups adhering to the city assembly's charter, with the accords they are a
    party to and the number of the assembly meetings their members attended."""
    from accords.models import Accord
    from assemblies.models import Registration

    attended = (
        Registration.objects.filter(
            state=RegistrationState.REGISTERED,
            user__memberships__group=OuterRef("group"),
        )
        .filter(Q(checked_in_at__isnull=False) | Q(attended_online=True))
        .values("user__memberships__group")
        .annotate(n=Count("meeting", distinct=True))
        .values("n")
    )
    rows = list(
        Adherence.objects.filter(assembly=city)
        .select_related("group")
        .annotate(meetings_attended=Subquery(attended[:1]))
        .order_by("group__name")
    )
    group_ids = [r.group_id for r in rows]
    accords: dict[int, list] = {}
    for accord in (
        Accord.objects.filter(parties__group_id__in=group_ids)
        .exclude(state="cancelled")
        .annotate(party_group=F("parties__group_id"))
        .order_by("title")
    ):
        accords.setdefault(accord.party_group, []).append(accord)
    for row in rows:
        row.meetings_attended = row.meetings_attended or 0
        row.accords = accords.get(row.group_id, [])
    return rows
