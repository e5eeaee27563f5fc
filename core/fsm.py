"""State machines: transitions declared once per model, fired by one function.

A stateful model declares its machine as a class attribute:

    class Claim(models.Model):
        state = models.CharField(choices=ClaimState.choices, ...)
        machine = StateMachine(
            Transition("submit", _("submit"), {S.DRAFT}, S.SUBMITTED, action="submit"),
            ...,
            tones={S.APPROVED: "ok", S.REJECTED: "err"},
        )

and every service moves the state with

    fire(claim, "submit", actor=user, reason="", due_at=...)

which, in one transaction: locks the row (`select_for_update`), re-reads the state, checks
that the transition may leave it, asks the model's policy (`core.policy`) whether the actor
may take the transition's action, sets the target state and the other changes, saves, writes
the audit entry with the state before and after, and sends the `transitioned` signal after
commit (live pushes and notifications listen to it). `actor=None` means the system (a
deadline run, a completed count): the policy is not asked, the audit entry says "system".

Templates ask the model instead of comparing strings: `{% state_badge claim %}` (tones from
the machine), `claim.get_state_display`, and the model's own predicates (`claim.is_open`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils.functional import Promise
from django.utils.translation import gettext

# Sent after commit: sender=model class, instance, name, before, after, actor, reason.
transitioned = Signal()


@dataclass(frozen=True)
class Transition:
    """One legal move: from any of `sources` to `target`.

    `action` names the policy action that guards it (None: only the system fires it).
    `guard(obj) -> str` returns why it cannot happen now beyond the state ("" when it can);
    `guard_q` is its queryset twin (a Q), for lists of objects the transition may leave.
    """

    name: str
    label: Promise | str
    sources: frozenset
    target: str
    action: str | None = None
    guard: Callable[[Any], str] | None = None
    guard_q: Q | None = None

    def __post_init__(self):
        if not isinstance(self.sources, frozenset):
            object.__setattr__(self, "sources", frozenset(self.sources))


class StateMachine:
    """The transitions of one model's state field."""

    def __init__(
        self,
        *transitions: Transition,
        field: str = "state",
        audit_prefix: str = "",
        tones: dict[str, str] | None = None,
        lock: bool = True,
    ):
        self.transitions: dict[str, Transition] = {}
        for t in transitions:
            if t.name in self.transitions:
                raise ValueError(f"duplicate transition {t.name!r}")
            self.transitions[t.name] = t
        self.field = field
        self.audit_prefix = audit_prefix
        self.tones = dict(tones or {})
        self.lock = lock
        self.model = None

    def __set_name__(self, owner, name):
        # Plain classes. Django models call contribute_to_class instead, once _meta exists
        # (type.__new__ runs __set_name__ before the model has its _meta).
        self.model = owner
        self._default_prefix = name

    def contribute_to_class(self, cls, name):
        self.model = cls
        self._default_prefix = cls._meta.model_name
        setattr(cls, name, self)

    @property
    def audit_prefix(self) -> str:
        """`claim` for Claim: audit entries are named `claim.<transition>`."""
        return self._audit_prefix or getattr(self, "_default_prefix", "")

    @audit_prefix.setter
    def audit_prefix(self, value: str) -> None:
        self._audit_prefix = value

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def __iter__(self):
        return iter(self.transitions.values())

    def __contains__(self, name: str) -> bool:
        return name in self.transitions

    # ---- questions -------------------------------------------------------------------------

    def state_of(self, obj) -> str:
        return getattr(obj, self.field)

    def error(self, obj, name: str) -> str:
        """Why transition `name` cannot leave `obj`'s current state, or "" when it can."""
        t = self.transitions[name]
        current = self.state_of(obj)
        if current not in t.sources:
            display = getattr(obj, f"get_{self.field}_display", None)
            return gettext("You cannot %(action)s while it is “%(state)s”.") % {
                "action": t.label,
                "state": display() if display else current,
            }
        if t.guard is not None:
            return t.guard(obj) or ""
        return ""

    def can(self, obj, name: str) -> bool:
        return not self.error(obj, name)

    def available(self, obj) -> list[Transition]:
        return [t for t in self.transitions.values() if not self.error(obj, t.name)]

    def targets(self, state: str) -> set[str]:
        return {t.target for t in self.transitions.values() if state in t.sources}

    def allowed(self, state: str, target: str) -> bool:
        return target in self.targets(state)

    def check(self, obj, name: str) -> Transition:
        error = self.error(obj, name)
        if error:
            raise ValidationError(error, code="state")
        return self.transitions[name]

    def tone(self, state: str) -> str:
        return self.tones.get(state, "")


def machine_of(obj) -> StateMachine:
    machine = getattr(type(obj), "machine", None)
    if not isinstance(machine, StateMachine):
        raise TypeError(f"{type(obj).__name__} declares no state machine")
    return machine


def fire(
    obj,
    name: str,
    *,
    actor,
    reason: str = "",
    machine: StateMachine | None = None,
    audit_action: str = "",
    audit_after: dict | None = None,
    audit_object=None,
    update_fields: Iterable[str] = (),
    **changes,
):
    """Fire transition `name` on `obj`: lock, check, ask the policy, save, audit, signal.

    `changes` are other fields set with the state (e.g. `decided_at=now`); `update_fields`
    names fields the caller already set on `obj` that must be saved too; `audit_object`
    records the entry on another object (a review's entry on its claim, whose timeline reads
    it). Returns `obj`.
    """
    from audit.services import audit_log  # the audit trail sits beside the kernel

    machine = machine or machine_of(obj)
    t = machine.transitions[name]
    # Inside a service's transaction, fire adds no savepoint (it would cost two round trips
    # per transition): refusals are raised before any write, so they leave the caller's
    # transaction usable; a failure after a write rolls the caller's transaction back.
    block = nullcontext() if transaction.get_connection().in_atomic_block else transaction.atomic()
    with block:
        if machine.lock and obj.pk is not None:
            current = (
                type(obj)
                ._default_manager.select_for_update()
                .values_list(machine.field, flat=True)
                .get(pk=obj.pk)
            )
            setattr(obj, machine.field, current)
        machine.check(obj, name)
        if t.action is not None and actor is not None:
            from core.policy import allows

            allows(actor, t.action, obj).enforce()
        before = machine.state_of(obj)
        setattr(obj, machine.field, t.target)
        for key, value in changes.items():
            setattr(obj, key, value)
        fields = [machine.field, *changes, *update_fields]
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            fields.append("updated_at")
        obj.save(update_fields=list(dict.fromkeys(fields)))
        # On another object's trail, say whose state it is ("reviewrequest_state").
        key = machine.field if audit_object is None else f"{machine.audit_prefix}_{machine.field}"
        whose = {} if audit_object is None else {f"{machine.audit_prefix}_id": obj.pk}
        audit_log(
            actor=actor,
            action=audit_action or f"{machine.audit_prefix}.{name}",
            obj=audit_object if audit_object is not None else obj,
            before={key: before, **whose},
            after={key: t.target, **whose, **(audit_after or {})},
            reason=reason,
        )
        sender = type(obj)

        def send():
            transitioned.send(
                sender=sender,
                instance=obj,
                name=name,
                before=before,
                after=t.target,
                actor=actor,
                reason=reason,
            )

        transaction.on_commit(send)
    return obj
