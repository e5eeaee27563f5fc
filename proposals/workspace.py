"""The claims office in the staff workspace: header links and the dashboard panels for
officers (the claims queue, reviews for their department). Moderation is the comments app's."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.rules import is_officer
from core.workspace import Count, Panel, register_link, register_panel
from proposals import selectors

register_link(
    "office",
    label=gettext_lazy("Office"),
    url_name="proposals:office-queue",
    allowed=is_officer,
    order=10,
)
register_link(
    "reviews",
    label=gettext_lazy("Reviews"),
    url_name="proposals:review-inbox",
    allowed=is_officer,
    order=20,
)


def claims_panel(user) -> Panel | None:
    """Open claims (the office queue), those due within a week and those overdue (its
    filters), and the review requests waiting for the officer's department (the review
    inbox)."""
    if not is_officer(user):
        return None
    queue = selectors.office_queue(user)
    office = reverse("proposals:office-queue")
    return Panel(
        key="claims",
        title=_("Claims"),
        counts=[
            Count("claims-open", _("Claims waiting for the city"), queue.count(), office),
            Count(
                "claims-due-soon",
                _("Claims due within a week"),
                selectors.due_soon(queue).count(),
                f"{office}?due_soon=on",
            ),
            Count(
                "claims-overdue",
                _("Overdue claims"),
                queue.filter(overdue=True).count(),
                f"{office}?overdue=on",
                urgent=True,
            ),
            Count(
                "reviews-waiting",
                _("Reviews waiting for your department"),
                selectors.review_inbox(user).count(),
                reverse("proposals:review-inbox"),
            ),
        ],
    )


register_panel("claims", claims_panel, order=10)
