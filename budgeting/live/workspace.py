"""In-person voting in the staff workspace: today's sessions, each a click from its console."""

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgeting.live import selectors
from citizens.rules import is_facilitator, is_officer
from core.workspace import Count, Item, Panel, register_link, register_panel

LISTED = 10  # sessions listed on the dashboard; the count links to all of them


def runs_or_plans_sessions(user) -> bool:
    return is_facilitator(user) or is_officer(user)


register_link(
    "sessions",
    label=gettext_lazy("Sessions"),
    url_name="pb_live:session-list",
    allowed=runs_or_plans_sessions,
    order=40,
)


def sessions_panel(user) -> Panel | None:
    if not runs_or_plans_sessions(user):
        return None
    today = timezone.localdate()
    sessions = selectors.session_list(user, day=today)
    listed = list(sessions[: LISTED + 1])
    count = len(listed) if len(listed) <= LISTED else sessions.count()
    url = reverse("pb_live:session-list")
    return Panel(
        key="sessions",
        title=_("Voting sessions today"),
        counts=[
            Count("sessions-today", _("Sessions today"), count, f"{url}?day={today.isoformat()}")
        ],
        items=[
            Item(
                label=session.place_name,
                url=reverse("pb_live:session-detail", args=[session.pk]),
                detail=f"{time_format(timezone.localtime(session.starts_at))} · "
                f"{session.get_state_display()} · {session.process.title}",
            )
            for session in listed[:LISTED]
        ],
        empty=_("No voting session today."),
        links=[(_("All voting sessions"), url)],
    )


register_panel("sessions", sessions_panel, order=40)
