"""Participatory budgeting in the staff workspace: the processes officers run, by phase."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgeting import selectors
from budgeting.models import Process
from citizens.rules import is_officer
from core.workspace import Count, Panel, register_link, register_panel

register_link(
    "processes",
    label=gettext_lazy("Processes"),
    url_name="budgeting:process-list",
    allowed=is_officer,
    order=50,
)


def processes_panel(user) -> Panel | None:
    """How many processes are in each phase, each number linking to the list of that phase."""
    if not is_officer(user):
        return None
    by_state = selectors.process_counts_by_state(user)
    url = reverse("budgeting:process-list")
    return Panel(
        key="processes",
        title=_("Budgeting processes"),
        counts=[
            Count(f"processes-{state}", label, by_state[state], f"{url}?state={state}")
            for state, label in Process.State.choices
            if by_state.get(state)
        ],
        empty=_("There is no budgeting process yet."),
        links=[(_("New process"), reverse("budgeting:process-create"))],
    )


register_panel("processes", processes_panel, order=50)
