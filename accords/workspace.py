"""Accords in the staff workspace: what waits for a city signatory, and the officers' accords."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accords import selectors
from citizens.rules import can_sign_for_city, is_officer
from core.workspace import Count, Panel, register_panel


def accords_panel(user) -> Panel | None:
    """Signatories: the accords awaiting their signature (the list on "My accords")."""
    if not is_officer(user):
        return None
    mine = reverse("accords:accord-mine")
    counts = []
    if can_sign_for_city(user):
        counts.append(
            Count(
                "accords-to-sign",
                _("Accords awaiting your signature"),
                selectors.awaiting_city_signature(user).count(),
                f"{mine}#to-sign-h",
                urgent=True,
            )
        )
    return Panel(
        key="accords",
        title=_("Accords"),
        counts=counts,
        links=[(_("My accords and approved claims to start from"), mine)],
    )


register_panel("accords", accords_panel, order=20)
