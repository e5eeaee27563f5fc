"""Who may do what with contributions and volunteer shifts (tables read by `core.policy`).

The actors come from the accord (`accords.rules`):

- *members*: the resident parties of the accord and every member of its group parties (they
  log their own hours and goods);
- *representatives*: the accord's civic side (resident parties and group representatives):
  they confirm or reject the civic entries, except their own, and run the shifts;
- *the city*: officers of the accord's department: they confirm the city's support entries.
"""

from enum import StrEnum

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accords.models import Accord, AccordParty, Side
from accords.models import AccordState as S
from accords.rules import CITY, CIVIC, civic_user_ids, is_city_officer
from citizens.models import Membership
from contributions.models import CITY_KINDS, CIVIC_KINDS, Contribution, Shift, Signup
from contributions.models import EntryState as E
from core.policy import (
    ALLOW,
    ANYONE,
    AUTHENTICATED,
    NONE,
    Policy,
    Rule,
    Who,
    deny,
    deny_state,
    register,
)


class Action(StrEnum):
    VIEW = "view"
    LOG = "log"
    LOG_SUPPORT = "log_support"
    REVIEW = "review"
    CONFIRM = "confirm"
    REJECT = "reject"
    REVERSE = "reverse"
    PUBLISH_SHIFTS = "publish_shifts"
    SIGN_UP = "sign_up"
    MANAGE = "manage"
    CANCEL = "cancel"
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"


ALL = frozenset(S)
# Contributions are logged while the accord runs, and for a while after it ended.
LOGGING = frozenset({S.ACTIVE, S.SUSPENDED, S.EXPIRED, S.TERMINATED})
PUBLIC = frozenset(ALL - {S.CANCELLED})


# Members of an accord --------------------------------------------------------------------------


def member_ids(accord: Accord) -> set[int]:
    """The resident parties and every member (not only representatives) of the group parties."""
    cached = getattr(accord, "_member_ids", None)
    if cached is None:
        parties = accord.parties.filter(side=Side.CIVIC)
        cached = set(parties.filter(user__isnull=False).values_list("user_id", flat=True))
        cached |= set(
            Membership.objects.filter(
                group__in=parties.filter(group__isnull=False).values("group")
            ).values_list("user_id", flat=True)
        )
        accord._member_ids = cached
    return cached


def _member_accords_q(user) -> Q:
    ids = AccordParty.objects.filter(
        Q(user=user) | Q(group__memberships__user=user), side=Side.CIVIC
    ).values("accord_id")
    return Q(pk__in=ids)


MEMBER = Who(
    "member",
    test=lambda u, a: u.pk in member_ids(a),
    q=_member_accords_q,
    refusal=_("Only the members of this accord's civic parties can log contributions."),
)
MEMBER_OR_CITY = Who(
    "member|city",
    test=lambda u, a: MEMBER.test(u, a) or CITY.test(u, a),
    q=lambda u: MEMBER.q(u) | CITY.q(u),
    refusal=_("Only the parties to this accord can log the city's support."),
)
REVIEWER = Who(
    "civic|city",
    test=lambda u, a: CIVIC.test(u, a) or CITY.test(u, a),
    q=lambda u: CIVIC.q(u) | CITY.q(u),
    refusal=_("Only the parties to this accord can review its contributions."),
)


def _instance(cls: type[Policy]) -> Policy:
    return cls(model=cls.model, rules=dict(cls.rules), state_field=cls.state_field)


class AccordContributionPolicy(Policy):
    """Actions on an accord's log and shifts (a policy on accords, asked directly: the accords
    app registers the one `core.policy.allows(user, action, accord)` finds)."""

    model = Accord
    rules = {
        Action.LOG: Rule(MEMBER, LOGGING, _("once the accord is in force")),
        Action.LOG_SUPPORT: Rule(MEMBER_OR_CITY, LOGGING, _("once the accord is in force")),
        Action.REVIEW: Rule(REVIEWER, ALL, _("always")),
        Action.PUBLISH_SHIFTS: Rule(CIVIC, {S.ACTIVE}, _("while the accord is active")),
    }


ON_ACCORD = _instance(AccordContributionPolicy)


# Entries ---------------------------------------------------------------------------------------


def _accords(q_for_user):
    return lambda u: Accord.objects.filter(q_for_user(u)).values("pk")


def _confirmer_test(user, entry: Contribution) -> bool:
    if entry.kind in CITY_KINDS:
        return is_city_officer(user, entry.accord)
    return user.pk in civic_user_ids(entry.accord)


def _confirmer_q(user) -> Q:
    return Q(kind__in=sorted(CIVIC_KINDS), accord__in=_accords(CIVIC.q)(user)) | Q(
        kind__in=sorted(CITY_KINDS), accord__in=_accords(CITY.q)(user)
    )


CONFIRMER = Who(
    "confirmer",
    test=_confirmer_test,
    q=_confirmer_q,
    refusal=_(
        "Civic entries are confirmed by the accord's civic representatives, the city's "
        "support by officers of its department."
    ),
)


def _not_own(user, entry: Contribution):
    if user.pk in (entry.person_id, entry.logged_by_id):
        return deny(_("Nobody confirms or rejects their own entry: another party must."))
    return ALLOW


def _not_own_q(user) -> Q:
    return ~Q(person=user) & ~Q(logged_by=user)


def _correctable(user, entry: Contribution):
    verdict = _not_own(user, entry)
    if not verdict:
        return verdict
    if entry.reverses_id is not None:
        return deny_state(_("A correcting entry cannot itself be corrected."))
    if Contribution.objects.filter(reverses=entry).exists():
        return deny_state(_("This entry has already been corrected."))
    return ALLOW


def _correctable_q(user) -> Q:
    return _not_own_q(user) & Q(reverses__isnull=True, reversed_by__isnull=True)


def _view_test(user, entry: Contribution) -> bool:
    if entry.state == E.CONFIRMED and entry.accord.is_public:
        return True
    if not user.is_authenticated:
        return False
    return user.pk in (entry.person_id, entry.logged_by_id) or REVIEWER.test(user, entry.accord)


def _view_q(user) -> Q:
    public = Q(state=E.CONFIRMED, accord__state__in=sorted(PUBLIC))
    if not user.is_authenticated:
        return public
    return public | Q(person=user) | Q(logged_by=user) | Q(accord__in=_accords(REVIEWER.q)(user))


VIEWER = Who(
    "public|parties",
    test=_view_test,
    q=_view_q,
    refusal=_("Only the parties to this accord can see entries not yet confirmed."),
    anonymous=True,
)


class ContributionPolicy(Policy):
    model = Contribution
    rules = {
        Action.VIEW: Rule(VIEWER),
        Action.CONFIRM: Rule(
            CONFIRMER,
            {E.PENDING},
            _("while it awaits confirmation"),
            check=_not_own,
            check_q=_not_own_q,
        ),
        Action.REJECT: Rule(
            CONFIRMER,
            {E.PENDING},
            _("while it awaits confirmation"),
            check=_not_own,
            check_q=_not_own_q,
        ),
        Action.REVERSE: Rule(
            CONFIRMER,
            {E.CONFIRMED},
            _("once it is confirmed"),
            check=_correctable,
            check_q=_correctable_q,
        ),
    }


ENTRIES = register(_instance(ContributionPolicy))


# Shifts and sign-ups ---------------------------------------------------------------------------


def _shift_open(user, shift: Shift):
    if shift.activity.accord.state != S.ACTIVE:
        return deny_state(_("Sign-ups are open only while the accord is active."))
    if shift.date < timezone.localdate():
        return deny_state(_("This shift is over."))
    return ALLOW


def _shift_open_q(user) -> Q:
    return Q(activity__accord__state=S.ACTIVE, date__gte=timezone.localdate())


SHIFT_REPS = Who(
    "civic",
    test=lambda u, shift: CIVIC.test(u, shift.activity.accord),
    q=lambda u: Q(activity__accord__in=_accords(CIVIC.q)(u)),
    refusal=CIVIC.refusal,
)


class ShiftPolicy(Policy):
    model = Shift
    rules = {
        Action.VIEW: Rule(
            Who(
                "anyone",
                test=lambda u, s: s.activity.accord.is_public,
                q=lambda u: Q(activity__accord__state__in=sorted(PUBLIC)),
                anonymous=True,
            )
        ),
        Action.SIGN_UP: Rule(AUTHENTICATED, None, "", check=_shift_open, check_q=_shift_open_q),
        Action.MANAGE: Rule(SHIFT_REPS),
    }


SHIFTS = register(_instance(ShiftPolicy))

VOLUNTEER = Who(
    "volunteer",
    test=lambda u, signup: signup.user_id == u.pk,
    q=lambda u: Q(user=u),
    refusal=_("Only the volunteer can do this."),
)
SIGNUP_REPS = Who(
    "civic",
    test=lambda u, signup: CIVIC.test(u, signup.shift.activity.accord),
    q=lambda u: Q(shift__activity__accord__in=_accords(CIVIC.q)(u)),
    refusal=_("Only the accord's civic representatives check volunteers in and out."),
)


class SignupPolicy(Policy):
    model = Signup
    rules = {
        Action.VIEW: Rule(
            Who(
                "volunteer|civic",
                test=lambda u, s: VOLUNTEER.test(u, s) or SIGNUP_REPS.test(u, s),
                q=lambda u: VOLUNTEER.q(u) | SIGNUP_REPS.q(u),
                refusal=VOLUNTEER.refusal,
            )
        ),
        Action.CANCEL: Rule(VOLUNTEER, moves=("cancel",)),
        Action.CHECK_IN: Rule(SIGNUP_REPS, moves=("check_in",)),
        Action.CHECK_OUT: Rule(SIGNUP_REPS, moves=("check_out",)),
    }


SIGNUPS = register(_instance(SignupPolicy))

__all__ = ["ANYONE", "NONE", "ENTRIES", "ON_ACCORD", "SHIFTS", "SIGNUPS", "Action"]
