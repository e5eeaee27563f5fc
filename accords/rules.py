"""Who may do what with an accord, in one table, with a queryset twin for every action.

Each action names the side that may take it and the accord states in which it is possible:

- the *city* side: officers of the accord's department (and administrators);
- the *civic* side: the resident parties and the representatives of the group parties;
- *either* side;
- the *city signatory*: any officer with signing authority (`citizens.rules.can_sign_for_city`),
  who is not also a civic party of the same accord.

`verdict(user, action, accord)` answers "may this user do it now?" (a `Verdict`: falsy with
a message; `.enforce()` raises PermissionDenied for the wrong person and ValidationError for
the wrong moment). `accords_for(user, action)` answers "on which accords?".
Finer conditions (which version, already signed, dates) are checked by the services.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accords.models import Accord, AccordParty, Side
from accords.models import AccordState as S
from accords.workflow import PUBLIC_STATES
from citizens import rules as citizen_rules
from citizens.rules import can_sign_for_city, is_administrator, is_officer

# Permission names this app relies on ("app_label.codename"); a test asserts each exists.
PERM_OFFICER = citizen_rules.PERM_OFFICER
PERM_SIGN_FOR_CITY = citizen_rules.PERM_SIGN_FOR_CITY

ALL_PERMISSIONS = [PERM_OFFICER, PERM_SIGN_FOR_CITY]


class Who(StrEnum):
    CITY = "city"
    CIVIC = "civic"
    EITHER = "either"
    SIGNATORY = "signatory"
    WORKSPACE = "workspace"  # either side, or any city signatory


class Action(StrEnum):
    VIEW_WORKSPACE = "view_workspace"
    EDIT = "edit"
    COMMENT = "comment"
    PROPOSE = "propose"
    AGREE = "agree"
    REOPEN = "reopen"
    CANCEL = "cancel"
    SIGN_CIVIC = "sign_civic"
    SIGN_CITY = "sign_city"
    REPORT = "report"
    ACKNOWLEDGE = "acknowledge"
    TRACK_SUPPORT = "track_support"
    SUSPEND = "suspend"
    RESUME = "resume"
    TERMINATE = "terminate"
    ARCHIVE = "archive"
    EXTEND = "extend"
    RENEW = "renew"
    OPEN_DISPUTE = "open_dispute"
    DISPUTE_COMMITTEE = "dispute_committee"
    DISPUTE_SETTLEMENT = "dispute_settlement"
    DISPUTE_CLOSE = "dispute_close"


@dataclass(frozen=True)
class Rule:
    who: Who
    states: frozenset
    when: Promise


ALL = frozenset(S)
CO_DESIGN = frozenset({S.DRAFTING, S.ACTIVE})  # active: amendments
SIGNING = frozenset({S.AWAITING_SIGNATURES, S.ACTIVE})  # active: signing an amendment
IN_FORCE = frozenset({S.ACTIVE, S.SUSPENDED})
AFTER_SIGNING = frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED, S.EXPIRED})
OPEN = frozenset({S.DRAFTING, S.AWAITING_SIGNATURES, S.ACTIVE, S.SUSPENDED})

RULES: dict[Action, Rule] = {
    Action.VIEW_WORKSPACE: Rule(Who.WORKSPACE, ALL, _("always")),
    Action.EDIT: Rule(Who.EITHER, CO_DESIGN, _("during the co-design or, once active, to amend")),
    Action.COMMENT: Rule(Who.EITHER, OPEN, _("until the accord ends")),
    Action.PROPOSE: Rule(Who.EITHER, CO_DESIGN, _("during the co-design or an amendment")),
    Action.AGREE: Rule(Who.EITHER, CO_DESIGN, _("during the co-design or an amendment")),
    Action.REOPEN: Rule(Who.EITHER, SIGNING, _("while signatures are awaited")),
    Action.CANCEL: Rule(
        Who.CITY, frozenset({S.DRAFTING, S.AWAITING_SIGNATURES}), _("before it is signed")
    ),
    Action.SIGN_CIVIC: Rule(Who.CIVIC, SIGNING, _("once both sides agreed on the text")),
    Action.SIGN_CITY: Rule(Who.SIGNATORY, SIGNING, _("once both sides agreed on the text")),
    Action.REPORT: Rule(
        Who.CIVIC, frozenset({S.ACTIVE, S.SUSPENDED, S.EXPIRED}), _("once the accord is active")
    ),
    Action.ACKNOWLEDGE: Rule(Who.CITY, AFTER_SIGNING, _("once the accord is active")),
    Action.TRACK_SUPPORT: Rule(Who.CITY, AFTER_SIGNING, _("once the accord is active")),
    Action.SUSPEND: Rule(Who.CITY, frozenset({S.ACTIVE}), _("while it is active")),
    Action.RESUME: Rule(Who.CITY, frozenset({S.SUSPENDED}), _("while it is suspended")),
    Action.TERMINATE: Rule(Who.EITHER, IN_FORCE, _("while it is in force")),
    Action.ARCHIVE: Rule(Who.CITY, frozenset({S.TERMINATED, S.EXPIRED}), _("once it has ended")),
    Action.EXTEND: Rule(Who.EITHER, frozenset({S.ACTIVE}), _("while it is active")),
    Action.RENEW: Rule(Who.EITHER, frozenset({S.ACTIVE}), _("while it is active")),
    Action.OPEN_DISPUTE: Rule(Who.EITHER, IN_FORCE, _("while it is in force")),
    Action.DISPUTE_COMMITTEE: Rule(Who.EITHER, AFTER_SIGNING, _("once the accord is active")),
    Action.DISPUTE_SETTLEMENT: Rule(Who.CITY, AFTER_SIGNING, _("once the accord is active")),
    Action.DISPUTE_CLOSE: Rule(Who.EITHER, AFTER_SIGNING, _("once the accord is active")),
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    message: str = ""
    wrong_person: bool = False

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        if self.allowed:
            return
        if self.wrong_person:
            raise PermissionDenied(self.message)
        raise ValidationError(self.message, code="not_now")


ALLOW = Verdict(True)


# Sides -------------------------------------------------------------------------------------


def is_city_officer(user, accord: Accord) -> bool:
    """Officers of the accord's department act for the city (administrators too)."""
    if not user.is_authenticated:
        return False
    if is_administrator(user):
        return True
    return is_officer(user) and user.department_id == accord.department_id


def civic_user_ids(accord: Accord) -> set[int]:
    """The users who act for the civic side: resident parties and group representatives."""
    cached = getattr(accord, "_civic_user_ids", None)
    if cached is None:
        cached = set()
        for party in (
            accord.parties.filter(side=Side.CIVIC)
            .prefetch_related("group__memberships__user")
            .select_related("user")
        ):
            cached |= party.signer_ids()
        accord._civic_user_ids = cached
    return cached


def is_civic_member(user, accord: Accord) -> bool:
    return user.is_authenticated and user.pk in civic_user_ids(accord)


def side_of(user, accord: Accord) -> str | None:
    """The side a user acts for on this accord (civic first: a resident party who is also an
    officer speaks as a party)."""
    if is_civic_member(user, accord):
        return Side.CIVIC
    if is_city_officer(user, accord):
        return Side.CITY
    return None


def _is(who: Who, user, accord: Accord) -> bool:
    if who == Who.CITY:
        return is_city_officer(user, accord)
    if who == Who.CIVIC:
        return is_civic_member(user, accord)
    if who == Who.EITHER:
        return is_city_officer(user, accord) or is_civic_member(user, accord)
    if who == Who.SIGNATORY:
        return can_sign_for_city(user) and not is_civic_member(user, accord)
    return is_city_officer(user, accord) or is_civic_member(user, accord) or can_sign_for_city(user)


WRONG_PERSON = {
    Who.CITY: _("Only officers of the accord's department can do this."),
    Who.CIVIC: _("Only the civic parties of this accord can do this."),
    Who.EITHER: _("Only the parties to this accord can do this."),
    Who.SIGNATORY: _(
        "Only an officer with signing authority, who is not a party, can sign for the city."
    ),
    Who.WORKSPACE: _("Only the parties to this accord can see its workspace."),
}


def verdict(user, action: Action, accord: Accord) -> Verdict:
    rule = RULES[action]
    if not user.is_authenticated:
        return Verdict(False, str(_("Please log in first.")), wrong_person=True)
    if not _is(rule.who, user, accord):
        return Verdict(False, str(WRONG_PERSON[rule.who]), wrong_person=True)
    if accord.state not in rule.states:
        return Verdict(
            False,
            str(
                _("This is possible only %(when)s; the accord is “%(state)s”.")
                % {"when": rule.when, "state": accord.get_state_display()}
            ),
        )
    return ALLOW


def can(user, action: Action, accord: Accord) -> bool:
    return bool(verdict(user, action, accord))


def allowed_actions(user, accord: Accord) -> set[str]:
    """Every action the user may take now, for templates (`"sign_city" in actions`)."""
    return {action.value for action in Action if can(user, action, accord)}


def may_start(user, claim) -> Verdict:
    """Officers start an accord from an approved claim that has no live accord yet."""
    if not is_officer(user):
        return Verdict(False, str(_("Only city officers can start an accord.")), True)
    if claim.state != "approved":
        return Verdict(False, str(_("Only an approved claim can become an accord.")))
    if Accord.objects.filter(claim=claim).exclude(state=S.CANCELLED).exists():
        return Verdict(False, str(_("This claim already has an accord.")))
    return ALLOW


def may_view_version(user, version) -> bool:
    if version.is_signed and version.accord.is_public:
        return True
    return can(user, Action.VIEW_WORKSPACE, version.accord)


def may_view_report(user, report) -> bool:
    if report.state == report.State.ACKNOWLEDGED and report.accord.is_public:
        return True
    return can(user, Action.VIEW_WORKSPACE, report.accord)


# Queryset twins ----------------------------------------------------------------------------


def _civic_q(user) -> Q:
    ids = AccordParty.objects.filter(
        Q(user=user) | Q(group__memberships__user=user, group__memberships__is_representative=True),
        side=Side.CIVIC,
    ).values("accord_id")
    return Q(pk__in=ids)


EVERY = Q(pk__isnull=False)  # not Q(): an empty Q vanishes when OR-ed with another
NONE = Q(pk__in=[])


def _city_q(user) -> Q:
    if is_administrator(user):
        return EVERY
    if is_officer(user) and user.department_id:
        return Q(department_id=user.department_id)
    return NONE


def _who_q(who: Who, user) -> Q:
    if who == Who.CITY:
        return _city_q(user)
    if who == Who.CIVIC:
        return _civic_q(user)
    if who == Who.EITHER:
        return _city_q(user) | _civic_q(user)
    if who == Who.SIGNATORY:
        return ~_civic_q(user) if can_sign_for_city(user) else NONE
    if can_sign_for_city(user):
        return EVERY
    return _city_q(user) | _civic_q(user)


def accords_for(user, action: Action) -> QuerySet:
    """Twin of `verdict`: the accords on which `user` may take `action` now."""
    if not user.is_authenticated:
        return Accord.objects.none()
    rule = RULES[action]
    return Accord.objects.filter(_who_q(rule.who, user), state__in=sorted(rule.states))


def accords_public() -> QuerySet:
    return Accord.objects.filter(state__in=sorted(PUBLIC_STATES))


def accords_visible_to(user) -> QuerySet:
    """Public accords, plus the ones whose workspace the user may open."""
    if not user.is_authenticated:
        return accords_public()
    return Accord.objects.filter(Q(state__in=sorted(PUBLIC_STATES)) | _who_q(Who.WORKSPACE, user))


def accords_of(user) -> QuerySet:
    """The user's own accords: as a civic party or as an officer of the department."""
    if not user.is_authenticated:
        return Accord.objects.none()
    return Accord.objects.filter(_city_q(user) | _civic_q(user))
