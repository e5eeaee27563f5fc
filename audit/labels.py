"""Readable, translated names for audit actions ("claim.screening_start" -> "Start the
admissibility check"), in one registry that the apps fill and `{{ entry.action|audit_label }}`
reads ({% load audit %}).

Transitions of the state machines (core.fsm) need no registration: `<audit_prefix>.<name>`
takes the transition's label. Other actions are registered by their app, in `ready()`:

    from audit.labels import register_labels
    register_labels({"budgeting.results.publish": _("Results published")})

An action nobody registered shows its code, which is still better than nothing.
"""

from django.apps import apps
from django.utils.functional import Promise
from django.utils.text import capfirst

_registered: dict[str, Promise | str] = {}
_from_machines: dict[str, Promise | str] | None = None


def register_labels(labels: dict[str, Promise | str]) -> None:
    """Name actions; a registered name wins over a state machine's transition label."""
    _registered.update(labels)


def _machine_labels() -> dict[str, Promise | str]:
    from core.fsm import StateMachine

    found: dict[str, Promise | str] = {}
    for model in apps.get_models():
        for value in vars(model).values():
            if isinstance(value, StateMachine):
                for transition in value:
                    found.setdefault(f"{value.audit_prefix}.{transition.name}", transition.label)
    return found


def audit_label(action: str) -> str:
    """The action's name in the active language, or the code itself when it has none."""
    global _from_machines
    if _from_machines is None:  # models are all loaded by the first page that asks
        _from_machines = _machine_labels()
    label = _registered.get(action) or _from_machines.get(action)
    return capfirst(str(label)) if label else action
