"""The kinds of events a preference applies to, with their names (core.notify.KINDS)."""

from django.utils.translation import gettext_lazy as _

from core.notify import KINDS

KIND_LABELS = {
    "claim": _("Claims: steps, decisions, reviews"),
    "accord": _("Accords: co-design, signatures, life after signing"),
    "comment": _("Comments and replies"),
    "budgeting": _("Participatory budgeting: projects, voting, results"),
    "assembly": _("Assemblies and meetings"),
    "implementation": _("Implementation of projects and accords"),
    "other": _("Everything else"),
}
if set(KIND_LABELS) != set(KINDS):  # every kind of core.notify has a name here
    raise ImportError("follows.kinds.KIND_LABELS does not match core.notify.KINDS")


def kind_label(kind: str):
    """The kind's name, lazy: it is rendered in the language active where it is shown."""
    return KIND_LABELS.get(kind, KIND_LABELS["other"])
