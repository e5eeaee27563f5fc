"""Assemblies in the staff workspace: coordinators see the requests to join and the meetings
they run today; officers get a link to the assemblies (they create thematic and district
ones)."""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from assemblies.models import Meeting, MeetingState, Membership, MembershipState, Role
from citizens.rules import is_officer
from core.workspace import Count, Item, Panel, register_panel


def assemblies_panel(user) -> Panel | None:
    coordinated = list(
        Membership.objects.filter(
            user=user, state=MembershipState.ACTIVE, role=Role.COORDINATOR
        ).values_list("assembly_id", flat=True)
    )
    if not coordinated and not is_officer(user):
        return None
    counts = []
    items = []
    if coordinated:
        requests = Membership.objects.filter(
            assembly_id__in=coordinated, state=MembershipState.REQUESTED
        ).select_related("assembly")
        first = requests.first()
        counts.append(
            Count(
                "assembly-requests",
                _("Requests to join your assemblies"),
                requests.count(),
                reverse("assemblies:members", args=[first.assembly.slug])
                if first
                else reverse("assemblies:assembly-list"),
                urgent=True,
            )
        )
        today = timezone.localdate()
        today_meetings = (
            Meeting.objects.filter(
                Q(assembly_id__in=coordinated) | Q(chair=user),
                starts_at__date__lte=today,
                ends_at__date__gte=today,
                state__in=(MeetingState.PLANNED, MeetingState.OPEN),
            )
            .select_related("assembly")
            .order_by("starts_at")[:5]
        )
        items = [
            Item(m.title, reverse("assemblies:meeting-door", args=[m.pk]), m.assembly.name)
            for m in today_meetings
        ]
    return Panel(
        key="assemblies",
        title=_("Assemblies"),
        counts=counts,
        items=items,
        links=[
            (_("Assemblies of the Commons"), reverse("assemblies:assembly-list")),
            (_("Upcoming meetings"), reverse("assemblies:meeting-list")),
        ],
    )


register_panel("assemblies", assemblies_panel, order=40)
