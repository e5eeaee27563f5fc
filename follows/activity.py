"""What "My activity" gathers, each section a bounded query (the page's query count does not
grow with what a person has done): my claims, supports, accords, ballots (whether I voted,
never what), registrations (assemblies, once that app is installed), follows, notifications."""

from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

SHOWN = 5  # items per section; each section links to its full list


def attach_targets(follows) -> None:
    """Set `follow.shown` (the followed object, or None if gone) with one query per model."""
    by_type = defaultdict(list)
    for f in follows:
        by_type[f.content_type_id].append(f)
    for ct_id, group in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        objects = model._default_manager.in_bulk([f.object_id for f in group]) if model else {}
        for f in group:
            f.shown = objects.get(f.object_id)
            f.model_label = model._meta.label_lower if model else ""
            f.kind_name = model._meta.verbose_name if model else ""


def _section(qs, shown=SHOWN) -> dict:
    items = list(qs[: shown + 1])
    return {"items": items[:shown], "more": len(items) > shown}


def ballots_of(user) -> list[dict]:
    """Processes where I voted or may vote now: whether I voted, by which channel, whether I
    can still change an online ballot. The ballot itself is never read."""
    from budgeting.models import Participation, Process
    from budgeting.permissions import PROCESS, Action

    voted = {}
    if user.census_record_id:
        voted = {
            p["process_id"]: p
            for p in Participation.objects.filter(census_record_id=user.census_record_id)
            .values("process_id", "channel")
            .order_by()
        }
    processes = (
        PROCESS.queryset(user, Action.VIEW)
        .filter(Q(pk__in=list(voted)) | Q(state=Process.State.VOTING))
        .order_by("-created_at", "-id")[:SHOWN]
    )
    rows = []
    for process in processes:
        participation = voted.get(process.pk)
        open_now = process.voting_is_open()
        rows.append(
            {
                "process": process,
                "voted": participation is not None,
                "online": participation is not None and participation["channel"] == "online",
                "open": open_now,
                "can_change": (
                    participation is not None
                    and participation["channel"] == "online"
                    and open_now
                    and process.allow_ballot_change
                ),
            }
        )
    return rows


def activity_of(user) -> dict:
    from accords.selectors import workspace_list
    from follows.rules import FOLLOWS
    from proposals.models import Support
    from proposals.selectors import claim_list_for_proposer

    follows = _section(FOLLOWS.queryset(user, "view").select_related("content_type"), 10)
    attach_targets(follows["items"])
    return {
        "claims": _section(claim_list_for_proposer(user)),
        "supports": _section(
            Support.objects.filter(user=user).select_related("claim").order_by("-created_at", "-id")
        ),
        "accords": _section(workspace_list(user)),
        "ballots": ballots_of(user),
        # The assemblies app fills this section when it is installed (see activity.html).
        "registrations_enabled": apps.is_installed("assemblies"),
        "registrations": registrations_of(user),
        "contributions_to_confirm": contributions_to_confirm(user),
        "follows": follows,
        "notifications": _section(user.notifications.all()),
    }


def contributions_to_confirm(user) -> int:
    """How many contribution entries wait for my confirmation (an accord's representative, or
    the city for its side); 0 without the contributions app."""
    if not apps.is_installed("contributions") or not user.is_authenticated:
        return 0
    from contributions.selectors import to_confirm

    return to_confirm(user).count()


def registrations_of(user) -> dict | None:
    """My registrations for meetings that are not cancelled (registered, waiting, checked in),
    the latest meetings first; one query. None when the assemblies app is not installed."""
    if not apps.is_installed("assemblies") or not user.is_authenticated:
        return None
    from assemblies.models import Registration

    return _section(
        Registration.objects.filter(user=user)
        .exclude(state=Registration.State.CANCELLED)
        .select_related("meeting", "meeting__assembly")
        .order_by("-meeting__starts_at", "-id")
    )
