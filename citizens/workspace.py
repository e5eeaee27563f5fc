"""Administration in the staff workspace: the Django admin (census, procedure configuration)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.rules import is_administrator
from core.workspace import Panel, register_link, register_panel


def administers(user) -> bool:
    return user.is_authenticated and user.is_staff and is_administrator(user)


register_link(
    "admin", label=gettext_lazy("Admin"), url_name="admin:index", allowed=administers, order=70
)


def admin_panel(user) -> Panel | None:
    if not administers(user):
        return None
    return Panel(
        key="admin",
        title=_("Administration"),
        links=[
            (_("Census, procedure configuration and records"), reverse("admin:index")),
            (_("Import the census"), reverse("admin:citizens_censusrecord_import")),
        ],
    )


register_panel("admin", admin_panel, order=70)
