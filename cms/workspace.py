"""The CMS in the staff workspace: content editors reach Wagtail's admin from the header."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.rules import PERM_WAGTAIL_ADMIN
from core.workspace import Panel, register_link, register_panel


def edits_content(user) -> bool:
    return user.is_authenticated and user.has_perm(PERM_WAGTAIL_ADMIN)


register_link(
    "cms", label=gettext_lazy("CMS"), url_name="wagtailadmin_home", allowed=edits_content, order=60
)


def content_panel(user) -> Panel | None:
    if not edits_content(user):
        return None
    return Panel(
        key="content",
        title=_("Public pages"),
        links=[(_("Edit the public pages, news and help"), reverse("wagtailadmin_home"))],
    )


register_panel("content", content_panel, order=60)
