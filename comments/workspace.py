"""The moderators' place in the staff workspace: the reports queue (a header link and a panel
with the number of open reports)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.rules import is_moderator
from comments import selectors
from core.workspace import Count, Panel, register_link, register_panel

register_link(
    "moderation",
    label=gettext_lazy("Moderation"),
    url_name="comments:moderation-queue",
    allowed=is_moderator,
    order=30,
)


def moderation_panel(user) -> Panel | None:
    if not is_moderator(user):
        return None
    return Panel(
        key="moderation",
        title=_("Moderation"),
        counts=[
            Count(
                "reports-open",
                _("Reports to moderate"),
                selectors.report_queue().count(),
                reverse("comments:moderation-queue"),
                urgent=True,
            )
        ],
    )


register_panel("moderation", moderation_panel, order=30)
