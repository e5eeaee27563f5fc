"""Implementation tracking in the staff workspace: what officers have to follow up."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.rules import is_administrator, is_officer
from core.workspace import Count, Panel, register_link, register_panel
from implementation.models import ImplementationState
from implementation.rules import Action, policy
from implementation.selectors import overdue_filter


def _staff(user) -> bool:
    return is_officer(user) or is_administrator(user)


register_link(
    "implementation",
    label=gettext_lazy("Implementation"),
    url_name="implementation:workspace",
    allowed=_staff,
    order=55,
)


def implementation_panel(user) -> Panel | None:
    """Implementations the officer follows, by status, and their overdue milestones."""
    if not _staff(user):
        return None
    mine = policy.queryset(user, Action.EXPENSE)
    url = reverse("implementation:workspace")
    by_state = {s: 0 for s in ImplementationState.values}
    for state in mine.values_list("state", flat=True):
        by_state[state] += 1
    overdue = overdue_filter(mine).count()
    counts = [
        Count(f"implementation-{state}", label, by_state[state], f"{url}?state={state}")
        for state, label in ImplementationState.choices
        if by_state[state] and state != ImplementationState.CANCELLED
    ]
    if overdue:
        counts.append(
            Count(
                "implementation-overdue",
                _("With overdue milestones"),
                overdue,
                f"{url}?overdue=1",
                True,
            )
        )
    return Panel(
        key="implementation",
        title=_("Implementation"),
        counts=counts,
        empty=_("No funded project or accord to follow yet."),
    )


register_panel("implementation", implementation_panel, order=55)
