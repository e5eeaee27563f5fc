"""Permission policies: one table per app, one mechanism to read it.

A policy answers the two questions every screen asks (Wagtail's permission policies do the
same): "may this user do this to this object now?" (`allows`, a `Verdict`) and "on which
objects may this user do it?" (`queryset`). Both read the same table, so they cannot drift.

An app declares, in its `rules.py`, who the actors are (`Who`: a predicate on an object and
its queryset twin, a `Q`) and a table of `Rule`s (who × states × extra check) per action; an
action may have several rules (a tuple: allowed if any allows, e.g. "anyone while public,
officers always"):

    CITY = Who("city", test=lambda u, a: ..., q=lambda u: Q(department=u.department_id),
               refusal=_("Only officers of the accord's department can do this."))

    class AccordPolicy(Policy):
        model = Accord
        rules = {
            Action.SUSPEND: Rule(CITY, {S.ACTIVE}, _("while it is active")),
            ...
        }

    policy = register(AccordPolicy())

Actors combine with `|` and `&`; `role(name, predicate, refusal)` makes an actor from who the
user is. A rule that fires transitions of the model's state machine names them
(`Rule(OFFICER, moves=("approve",))`): its states, its refusals and its queryset filter come
from the machine (`core.fsm`), so the table and the machine cannot disagree.

Views, consumers, APIs and lists then call `allows(user, action, obj)` (dispatching on the
object's model) or `policy.queryset(user, action)`. Services call `.enforce()` on the verdict
(or let `core.fsm.fire` do it): a wrong person raises PermissionDenied, a wrong moment raises
ValidationError; both carry a `code` that `core.errors` maps to an HTTP status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Verdict codes. The first two mean "the wrong person" (403); the rest "not now" (4xx / form).
LOGIN = "login"
FORBIDDEN = "forbidden"
STATE = "state"
THROTTLED = "throttled"
WRONG_PERSON_CODES = frozenset({LOGIN, FORBIDDEN})

EVERY = Q(pk__isnull=False)  # not Q(): an empty Q vanishes when OR-ed with another
NONE = Q(pk__in=[])


class PolicyDenied(PermissionDenied):
    """PermissionDenied that keeps the verdict's code for `core.errors`."""

    def __init__(self, message: str = "", code: str = FORBIDDEN):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Verdict:
    """Allowed, or refused with a translated reason and a code (never compared by text)."""

    allowed: bool
    reason: str = ""
    code: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def message(self) -> str:
        return self.reason

    @property
    def wrong_person(self) -> bool:
        return not self.allowed and self.code in WRONG_PERSON_CODES

    def enforce(self) -> None:
        """Raise the refusal: PermissionDenied for the wrong person, else ValidationError."""
        if self.allowed:
            return
        if self.wrong_person:
            raise PolicyDenied(self.reason, self.code)
        raise ValidationError(self.reason, code=self.code or STATE)


ALLOW = Verdict(True)


def deny(reason, code: str = FORBIDDEN) -> Verdict:
    return Verdict(False, str(reason), code)


def deny_state(reason) -> Verdict:
    return Verdict(False, str(reason), STATE)


def login_needed() -> Verdict:
    return deny(_("Please log in first."), LOGIN)


@dataclass(frozen=True)
class Who:
    """An actor: a predicate on (user, obj) and its queryset twin on (user) -> Q.

    `test` may assume an authenticated user unless `anonymous`. `q` may be None for actors
    that lists never ask about (then `queryset` refuses the action loudly rather than guess);
    a role's `q` answers for the user (EVERY or NONE), since `queryset` never calls `test`.
    `obj` is None for actions on no object (e.g. "create a claim"). Combine actors with `|`
    (either) and `&` (both: the first refusal is the one shown).
    """

    name: str
    test: Callable[[Any, Any], bool]
    q: Callable[[Any], Q] | None = None
    refusal: Promise | str = _("You may not do this.")
    anonymous: bool = False  # True: the test is asked for anonymous users too
    parts: tuple = ()  # set by `&`: every part must agree, each with its own refusal

    def why_not(self, user, obj) -> str:
        """The refusal for this user, or "" when the actor matches."""
        if self.parts:
            for part in self.parts:
                if not user.is_authenticated and not part.anonymous:
                    return str(login_needed().reason)
                reason = part.why_not(user, obj)
                if reason:
                    return reason
            return ""
        return "" if self.test(user, obj) else str(self.refusal)

    def __or__(self, other: Who) -> Who:
        def usable(who, user):
            return who.anonymous or user.is_authenticated

        def test(u, o):
            return any(usable(w, u) and w.test(u, o) for w in (self, other))

        def q(user):
            if self.q is None or other.q is None:
                raise ImproperlyConfiguredRule(f"{self.name}|{other.name} has no queryset twin")
            found = [w.q(user) for w in (self, other) if usable(w, user)]
            result = NONE
            for part in found:
                result |= part
            return result

        return Who(
            f"{self.name}|{other.name}",
            test,
            q if (self.q and other.q) else None,
            self.refusal,
            self.anonymous or other.anonymous,
        )

    def __and__(self, other: Who) -> Who:
        parts = (*(self.parts or (self,)), *(other.parts or (other,)))

        def q(user):
            result = EVERY
            for part in parts:
                result &= part.q(user)
            return result

        return Who(
            "&".join(p.name for p in parts),
            lambda u, o: all(p.test(u, o) for p in parts),
            q if all(p.q for p in parts) else None,
            parts[0].refusal,
            all(p.anonymous for p in parts),
            parts,
        )


def role(name: str, predicate: Callable[[Any], bool], refusal) -> Who:
    """An actor defined by who the user is, whatever the object: its twin is EVERY or NONE."""
    return Who(name, lambda u, o: predicate(u), lambda u: EVERY if predicate(u) else NONE, refusal)


class ImproperlyConfiguredRule(Exception):
    pass


ANYONE = Who("anyone", lambda u, o: True, lambda u: EVERY, anonymous=True)
AUTHENTICATED = Who("authenticated", lambda u, o: True, lambda u: EVERY)


@dataclass(frozen=True)
class Rule:
    """Who may take an action, in which states, with an optional extra check.

    `states`: None means any state (or an action with no object). `moves` names the
    transitions of the model's state machine (`core.fsm`) that the action fires: their
    sources become the states and the machine's reasons (wrong state, a guard) the refusal,
    so the table and the machine cannot disagree. `when` describes the states for the
    refusal ("while it is active"); `otherwise` replaces the whole wrong-state refusal.
    `check(user, obj) -> Verdict` adds what a table cannot say (a deadline, "not already
    supported"); `check_q(user) -> Q` is its queryset twin when lists need one.
    """

    who: Who
    states: frozenset | None = None
    when: Promise | str = ""
    check: Callable[[Any, Any], Verdict] | None = None
    check_q: Callable[[Any], Q] | None = None
    moves: tuple[str, ...] = ()
    otherwise: Promise | str = ""

    def __post_init__(self):
        if self.states is not None and not isinstance(self.states, frozenset):
            object.__setattr__(self, "states", frozenset(self.states))
        if isinstance(self.moves, str):
            object.__setattr__(self, "moves", (self.moves,))


def roles_cached(user) -> dict:
    """A per-user-object cache (one request's life) for role look-ups."""
    cache = getattr(user, "_policy_cache", None)
    if cache is None:
        cache = {}
        try:
            user._policy_cache = cache
        except AttributeError:  # AnonymousUser-like objects without __dict__
            return {}
    return cache


class Policy:
    """A model's permission table. Subclass with `model`, `rules` and, if needed, `state_field`
    (or pass them to the constructor)."""

    model: type[Model] | None = None
    rules: dict[str, Rule | tuple[Rule, ...]] = {}
    state_field: str = "state"

    def __init__(self, *, model=None, rules=None, state_field: str | None = None):
        if model is not None:
            self.model = model
        if rules is not None:
            self.rules = rules
        if state_field is not None:
            self.state_field = state_field

    # ---- the two questions ----------------------------------------------------------------

    def allows(self, user, action: str, obj=None) -> Verdict:
        refusal = None
        for rule in self.rules_for(action):
            verdict = self._allows(rule, user, obj)
            if verdict:
                return verdict
            # Of several refusals, the one about the moment beats "not you": the person fits.
            if refusal is None or (refusal.wrong_person and not verdict.wrong_person):
                refusal = verdict
        return refusal

    def queryset(self, user, action: str, base: QuerySet | None = None) -> QuerySet:
        qs = base if base is not None else self.model._default_manager.all()
        match = None
        for rule in self.rules_for(action):
            q = self._q(rule, user, action)
            if q is not None:
                match = q if match is None else match | q
        return qs.none() if match is None else qs.filter(match)

    def _allows(self, rule: Rule, user, obj) -> Verdict:
        if not user.is_authenticated and not rule.who.anonymous:
            return login_needed()
        reason = rule.who.why_not(user, obj)
        if reason:
            return deny(reason)
        if obj is not None:
            if rule.moves:
                reason = self.machine_refusal(obj, rule)
                if reason:
                    return deny_state(reason)
            elif rule.states is not None:
                state = getattr(obj, self.state_field)
                if state not in rule.states:
                    return deny_state(self.wrong_state_message(obj, rule))
        if rule.check is not None:
            return rule.check(user, obj)
        return ALLOW

    def _q(self, rule: Rule, user, action: str) -> Q | None:
        if not user.is_authenticated and not rule.who.anonymous:
            return None
        if rule.who.q is None:
            raise ImproperlyConfiguredRule(f"{self.label}: {action} has no queryset twin")
        q = rule.who.q(user)
        if rule.moves and rule.states is None:
            q &= self.moves_q(rule)
        elif rule.states is not None:
            q &= Q(**{f"{self.state_field}__in": sorted(rule.states)})
        if rule.check is not None:
            if rule.check_q is None:
                raise ImproperlyConfiguredRule(f"{self.label}: {action}'s check has no twin")
            q &= rule.check_q(user)
        return q

    # ---- helpers ----------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return self.model._meta.label if self.model else type(self).__name__

    def rules_for(self, action: str) -> tuple[Rule, ...]:
        """An action's rules: one, or several alternatives (allowed if any allows)."""
        try:
            rules = self.rules[action]
        except KeyError:
            raise ImproperlyConfiguredRule(f"{self.label} has no rule for {action!r}") from None
        return rules if isinstance(rules, tuple) else (rules,)

    def moves_q(self, rule: Rule) -> Q:
        """Objects one of the rule's transitions may leave: its sources, and its guard's twin."""
        where = NONE
        for name in rule.moves:
            t = self.model.machine[name]
            if t.guard is not None and t.guard_q is None:
                raise ImproperlyConfiguredRule(f"{self.label}: {name}'s guard has no guard_q")
            leaves = Q(**{f"{self.state_field}__in": sorted(t.sources)})
            where |= leaves & t.guard_q if t.guard is not None else leaves
        return where

    def machine_refusal(self, obj, rule: Rule) -> str:
        """Why none of the rule's transitions can leave the object's state now ("" if one can).

        A transition that leaves the current state but is stopped by its guard explains
        better than one that does not leave it at all.
        """
        from core.fsm import machine_of

        machine = machine_of(obj)
        errors = [(name, machine.error(obj, name)) for name in rule.moves]
        if any(not error for _name, error in errors):
            return ""
        state = machine.state_of(obj)
        leaving = [error for name, error in errors if state in machine[name].sources]
        if not leaving and rule.otherwise:
            return str(rule.otherwise)
        return (leaving or [errors[0][1]])[0]

    def wrong_state_message(self, obj, rule: Rule) -> str:
        if rule.otherwise:
            return str(rule.otherwise)
        display = getattr(obj, f"get_{self.state_field}_display", None)
        shown = display() if display else getattr(obj, self.state_field)
        if rule.when:
            return gettext("This is possible only %(when)s; it is now “%(state)s”.") % {
                "when": rule.when,
                "state": shown,
            }
        return gettext("This is not possible while it is “%(state)s”.") % {"state": shown}

    def can(self, user, action: str, obj=None) -> bool:
        return bool(self.allows(user, action, obj))

    def actions(self, user, obj=None) -> set[str]:
        """Every action the user may take now, for templates (`"suspend" in actions`)."""
        return {str(a) for a in self.rules if self.allows(user, a, obj)}


_REGISTRY: dict[str, Policy] = {}


def register(policy: Policy) -> Policy:
    """Make `allows(user, action, obj)` find this policy for objects of its model."""
    _REGISTRY[policy.model._meta.label_lower] = policy
    return policy


def policy_for(obj_or_model) -> Policy:
    meta = obj_or_model._meta
    try:
        return _REGISTRY[meta.label_lower]
    except KeyError:
        raise ImproperlyConfiguredRule(f"no policy registered for {meta.label}") from None


def registered() -> Iterable[Policy]:
    return list(_REGISTRY.values())


def allows(user, action: str, obj) -> Verdict:
    """May `user` take `action` on `obj` now? Dispatches on the object's model."""
    return policy_for(obj).allows(user, action, obj)


def queryset(user, action: str, model: type[Model], base: QuerySet | None = None) -> QuerySet:
    """The objects of `model` on which `user` may take `action` now."""
    return policy_for(model).queryset(user, action, base)
