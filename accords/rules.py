"""Who may do what with an accord and the records around it: one table per model, read by the
kernel's policy mechanism (`core.policy`), which answers both "may this user do it now?"
(`allows`, a `Verdict`) and "on which objects?" (`queryset`).

The actors are the two sides of every accord:

- the *city* side: officers of the accord's department (and administrators);
- the *civic* side: the resident parties and the representatives of the group parties;
- *either* side;
- the *city signatory*: any officer with signing authority (`citizens.rules.can_sign_for_city`),
  who is not also a civic party of the same accord.

Versions, reports, disputes and support items belong to an accord: their actors are the
accord's (`_via_accord`), and their rules add the record's own state to the accord's rule for
the same action, so a version is locked only when the accord may be agreed on *and* the version
is a draft. Finer conditions (which version, already signed, dates) are checked by the services.
"""

from dataclasses import replace
from enum import StrEnum
from operator import attrgetter

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accords.models import (
    Accord,
    AccordParty,
    AccordVersion,
    ActivityReport,
    Dispute,
    Side,
    SupportItem,
)
from accords.models import AccordState as S
from accords.models import DisputeState as D
from accords.models import ReportState as R
from accords.models import SupportStatus as SS
from accords.models import VersionStatus as V
from citizens import rules as citizen_rules
from citizens.rules import can_sign_for_city, is_administrator, is_officer
from core.policy import (
    ALLOW,
    ANYONE,
    EVERY,
    NONE,
    Policy,
    Rule,
    Verdict,
    Who,
    deny_state,
    register,
)
from proposals.models import Claim

# Permission names this app relies on ("app_label.codename"); a test asserts each exists.
PERM_OFFICER = citizen_rules.PERM_OFFICER
PERM_SIGN_FOR_CITY = citizen_rules.PERM_SIGN_FOR_CITY

ALL_PERMISSIONS = [PERM_OFFICER, PERM_SIGN_FOR_CITY]


class Action(StrEnum):
    VIEW = "view"
    VIEW_WORKSPACE = "view_workspace"
    PARTICIPATE = "participate"
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
    # Actions on the records of an accord (versions, support items, the accord's start).
    WITHDRAW = "withdraw"
    START = "start"


# States --------------------------------------------------------------------------------------

ALL = frozenset(S)
# States in which the accord binds the parties (its signed version is in force).
IN_FORCE = frozenset({S.ACTIVE, S.SUSPENDED})
# States in which the text may change: the co-design, or an amendment of an active accord.
CO_DESIGN = frozenset({S.DRAFTING, S.ACTIVE})
SIGNING = frozenset({S.AWAITING_SIGNATURES, S.ACTIVE})  # active: signing an amendment
AFTER_SIGNING = frozenset({S.ACTIVE, S.SUSPENDED, S.TERMINATED, S.EXPIRED})
OPEN = frozenset({S.DRAFTING, S.AWAITING_SIGNATURES, S.ACTIVE, S.SUSPENDED})
# Open to the public registry (a cancelled draft never bound anyone).
PUBLIC = frozenset(ALL - {S.CANCELLED})


# Sides ---------------------------------------------------------------------------------------


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


def _civic_q(user) -> Q:
    ids = AccordParty.objects.filter(
        Q(user=user) | Q(group__memberships__user=user, group__memberships__is_representative=True),
        side=Side.CIVIC,
    ).values("accord_id")
    return Q(pk__in=ids)


def _city_q(user) -> Q:
    if is_administrator(user):
        return EVERY
    if is_officer(user) and user.department_id:
        return Q(department_id=user.department_id)
    return NONE


CITY = Who(
    "city",
    test=is_city_officer,
    q=_city_q,
    refusal=_("Only officers of the accord's department can do this."),
)
CIVIC = Who(
    "civic",
    test=is_civic_member,
    q=_civic_q,
    refusal=_("Only the civic parties of this accord can do this."),
)
EITHER = replace(
    CITY | CIVIC, name="either", refusal=_("Only the parties to this accord can do this.")
)
SIGNATORY = Who(
    "signatory",
    test=lambda u, a: can_sign_for_city(u) and not is_civic_member(u, a),
    q=lambda u: ~_civic_q(u) if can_sign_for_city(u) else NONE,
    refusal=_("Only an officer with signing authority, who is not a party, can sign for the city."),
)
WORKSPACE = Who(
    "workspace",
    test=lambda u, a: can_sign_for_city(u) or EITHER.test(u, a),
    q=lambda u: EVERY if can_sign_for_city(u) else EITHER.q(u),
    refusal=_("Only the parties to this accord can see its workspace."),
)


def _instance(cls: type[Policy]) -> Policy:
    """Build a policy from its class attributes (passed on, so any engine version keeps them)."""
    return cls(model=cls.model, rules=dict(cls.rules), state_field=cls.state_field)


class AccordPolicy(Policy):
    model = Accord
    rules = {
        Action.VIEW: Rule(ANYONE, PUBLIC, _("once it is not a cancelled draft")),
        Action.VIEW_WORKSPACE: Rule(WORKSPACE, ALL, _("always")),
        Action.PARTICIPATE: Rule(EITHER, ALL, _("always")),
        Action.EDIT: Rule(EITHER, CO_DESIGN, _("during the co-design or, once active, to amend")),
        Action.COMMENT: Rule(EITHER, OPEN, _("until the accord ends")),
        Action.PROPOSE: Rule(EITHER, CO_DESIGN, _("during the co-design or an amendment")),
        Action.AGREE: Rule(EITHER, CO_DESIGN, _("during the co-design or an amendment")),
        Action.REOPEN: Rule(EITHER, SIGNING, _("while signatures are awaited")),
        Action.CANCEL: Rule(CITY, {S.DRAFTING, S.AWAITING_SIGNATURES}, _("before it is signed")),
        Action.SIGN_CIVIC: Rule(CIVIC, SIGNING, _("once both sides agreed on the text")),
        Action.SIGN_CITY: Rule(SIGNATORY, SIGNING, _("once both sides agreed on the text")),
        Action.REPORT: Rule(
            CIVIC, {S.ACTIVE, S.SUSPENDED, S.EXPIRED}, _("once the accord is active")
        ),
        Action.ACKNOWLEDGE: Rule(CITY, AFTER_SIGNING, _("once the accord is active")),
        Action.TRACK_SUPPORT: Rule(CITY, AFTER_SIGNING, _("once the accord is active")),
        Action.SUSPEND: Rule(CITY, {S.ACTIVE}, _("while it is active")),
        Action.RESUME: Rule(CITY, {S.SUSPENDED}, _("while it is suspended")),
        Action.TERMINATE: Rule(EITHER, IN_FORCE, _("while it is in force")),
        Action.ARCHIVE: Rule(CITY, {S.TERMINATED, S.EXPIRED}, _("once it has ended")),
        Action.EXTEND: Rule(EITHER, {S.ACTIVE}, _("while it is active")),
        Action.RENEW: Rule(EITHER, {S.ACTIVE}, _("while it is active")),
        Action.OPEN_DISPUTE: Rule(EITHER, IN_FORCE, _("while it is in force")),
        Action.DISPUTE_COMMITTEE: Rule(EITHER, AFTER_SIGNING, _("once the accord is active")),
        Action.DISPUTE_SETTLEMENT: Rule(CITY, AFTER_SIGNING, _("once the accord is active")),
        Action.DISPUTE_CLOSE: Rule(EITHER, AFTER_SIGNING, _("once the accord is active")),
    }


ACCORDS = register(_instance(AccordPolicy))


def public_accords() -> QuerySet:
    """The public registry: what anyone may see (the twin of `allows(anyone, "view")`)."""
    return ACCORDS.queryset(AnonymousUser(), Action.VIEW)


# The records of an accord ----------------------------------------------------------------------


def _via_accord(who: Who, path: str = "accord") -> Who:
    """The same actor, asked about the accord a record belongs to (`path` leads to it)."""
    get = attrgetter(path.replace("__", "."))
    return Who(
        who.name,
        test=lambda u, obj: who.test(u, get(obj)),
        q=lambda u: Q(**{f"{path}__in": Accord.objects.filter(who.q(u)).values("pk")}),
        refusal=who.refusal,
        anonymous=who.anonymous,
    )


def _accord_rule(action: str, states, when, *, path: str = "accord") -> Rule:
    """The accord's rule for `action`, plus the record's own states: a record's action is
    possible when the accord's is and the record is in one of `states`."""
    get = attrgetter(path.replace("__", "."))
    return Rule(
        _via_accord(AccordPolicy.rules[action].who, path),
        states,
        when,
        check=lambda user, obj: ACCORDS.allows(user, action, get(obj)),
        check_q=lambda user: Q(**{f"{path}__in": ACCORDS.queryset(user, action).values("pk")}),
    )


def _published_or_workspace(published: str, published_q: Q) -> Who:
    """Anyone, once the record is published on a public accord; else the workspace's people."""
    workspace = _via_accord(WORKSPACE)
    return Who(
        "public|workspace",
        test=lambda u, obj: (
            (getattr(obj, published) and obj.accord.is_public)
            or (u.is_authenticated and workspace.test(u, obj))
        ),
        q=lambda u: (
            (published_q & Q(accord__state__in=sorted(PUBLIC)))
            | (workspace.q(u) if u.is_authenticated else NONE)
        ),
        refusal=WORKSPACE.refusal,
        anonymous=True,
    )


class VersionPolicy(Policy):
    model = AccordVersion
    state_field = "status"
    rules = {
        # Signed texts of public accords are public; drafts only in the workspace.
        Action.VIEW: Rule(
            _published_or_workspace("is_signed", Q(status__in=[V.SIGNED, V.REPLACED]))
        ),
        Action.AGREE: _accord_rule(Action.AGREE, {V.DRAFT}, _("while it is a draft")),
        # Withdrawing an agreement (reopening, cancelling, stopping the accord).
        Action.WITHDRAW: Rule(_via_accord(EITHER), {V.AGREED}, _("once both sides agreed")),
    }


class ReportPolicy(Policy):
    model = ActivityReport
    rules = {
        Action.VIEW: Rule(_published_or_workspace("is_acknowledged", Q(state=R.ACKNOWLEDGED))),
        Action.ACKNOWLEDGE: _accord_rule(
            Action.ACKNOWLEDGE, {R.SUBMITTED}, _("while it awaits acknowledgement")
        ),
    }


class DisputePolicy(Policy):
    model = Dispute
    rules = {
        Action.VIEW: Rule(_via_accord(WORKSPACE)),
        Action.DISPUTE_COMMITTEE: _accord_rule(
            Action.DISPUTE_COMMITTEE, {D.OPEN}, _("while the committee is being formed")
        ),
        Action.DISPUTE_SETTLEMENT: _accord_rule(
            Action.DISPUTE_SETTLEMENT, {D.COMMITTEE_FORMED}, _("once the committee is formed")
        ),
        Action.DISPUTE_CLOSE: _accord_rule(
            Action.DISPUTE_CLOSE,
            {D.OPEN, D.COMMITTEE_FORMED, D.SETTLEMENT_PROPOSED},
            _("until it is closed"),
        ),
    }


class SupportPolicy(Policy):
    model = SupportItem
    state_field = "status"
    rules = {
        Action.TRACK_SUPPORT: _accord_rule(
            Action.TRACK_SUPPORT,
            {SS.GRANTED, SS.DELIVERED},
            _("until it is returned"),
            path="version__accord",
        ),
    }


VERSIONS = register(_instance(VersionPolicy))
REPORTS = register(_instance(ReportPolicy))
DISPUTES = register(_instance(DisputePolicy))
SUPPORT = register(_instance(SupportPolicy))


# Starting an accord from a claim ---------------------------------------------------------------

OFFICER = Who(
    "officer",
    test=lambda u, claim: is_officer(u),
    q=lambda u: EVERY if is_officer(u) else NONE,
    refusal=_("Only city officers can start an accord."),
)


def _live_accord(claim_ref) -> Exists:
    return Exists(Accord.objects.filter(claim=claim_ref).exclude(state=S.CANCELLED))


def _no_live_accord(user, claim) -> Verdict:
    if Accord.objects.filter(claim=claim).exclude(state=S.CANCELLED).exists():
        return deny_state(_("This claim already has an accord."))
    return ALLOW


class StartPolicy(Policy):
    """Officers start an accord from an approved claim that has no live accord yet.

    A policy on claims (the claims app's model), so not registered: the claims app registers
    the policy that `core.policy.allows(user, action, claim)` finds. Asked directly instead.
    """

    model = Claim
    rules = {
        Action.START: Rule(
            OFFICER,
            {Claim.State.APPROVED},
            _("once the claim is approved"),
            check=_no_live_accord,
            check_q=lambda u: Q(~_live_accord(OuterRef("pk"))),
        ),
    }


START = _instance(StartPolicy)


def may_start(user, claim) -> Verdict:
    return START.allows(user, Action.START, claim)


def claims_to_start(user) -> QuerySet:
    """The twin of `may_start`: approved claims this officer may turn into an accord."""
    from proposals.handoff import claims_ready_for_accord

    return START.queryset(user, Action.START, base=claims_ready_for_accord())
