"""Who may keep a meeting's records and give the assembly's formal opinions.

Two tables. `MeetingRecordsPolicy` is on `assemblies.Meeting` but is not registered (the
assemblies app registers the meeting's own policy): attendance, minutes and decisions ask it
directly (`records_policy.allows(user, "draft_minutes", meeting)`). `OpinionPolicy` is
registered for `Opinion`, whose machine fires "adopt" and "withdraw".

Who runs a meeting's records: its chair and the assembly's active coordinators.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assemblies.models import Meeting, Membership
from assemblies.records.models import MinutesVersion, Opinion
from core.policy import (
    ALLOW,
    ANYONE,
    NONE,
    Policy,
    Rule,
    Who,
    deny_state,
    register,
    roles_cached,
)
from proposals.models import Claim
from proposals.models.claims import OPEN_STATES

M = Meeting.State
O = Opinion.State  # noqa: E741


def coordinated_assemblies(user) -> frozenset[int]:
    """Ids of the assemblies the user coordinates (read once per user object)."""
    if not user.is_authenticated:
        return frozenset()
    cache = roles_cached(user)
    if "coordinated_assemblies" not in cache:
        cache["coordinated_assemblies"] = frozenset(
            Membership.objects.filter(
                user=user, state=Membership.State.ACTIVE, role=Membership.Role.COORDINATOR
            ).values_list("assembly_id", flat=True)
        )
    return cache["coordinated_assemblies"]


def is_meeting_runner(user, meeting: Meeting) -> bool:
    return user.is_authenticated and (
        meeting.chair_id == user.pk or meeting.assembly_id in coordinated_assemblies(user)
    )


RUNNER = Who(
    "chair or coordinator",
    is_meeting_runner,
    lambda u: Q(chair=u) | Q(assembly_id__in=sorted(coordinated_assemblies(u))),
    refusal=_("Only the chair and the assembly's coordinators can do this."),
)
COORDINATOR = Who(
    "coordinator of the assembly",
    lambda u, o: o.assembly_id in coordinated_assemblies(u),
    lambda u: Q(assembly_id__in=sorted(coordinated_assemblies(u))) if u.is_authenticated else NONE,
    refusal=_("Only the assembly's coordinators can do this."),
)

# States in which the records are written: during the meeting and after it, until published.
RECORDING = {M.OPEN, M.CLOSED}
RECORDING_ONLY = _(
    "The records are kept while the meeting is in progress or closed, until the minutes are "
    "published; published minutes cannot be changed."
)
ONLINE_KINDS = (Meeting.Kind.ONLINE, Meeting.Kind.HYBRID)


def _online(user, meeting: Meeting):
    if meeting.kind not in ONLINE_KINDS:
        return deny_state(_("This meeting has no online participation."))
    return ALLOW


def _has_minutes(user, meeting: Meeting):
    if not meeting.minutes_versions.exists():
        return deny_state(_("Write the minutes before publishing them."))
    return ALLOW


def _has_minutes_q(user) -> Q:
    return Q(pk__in=MinutesVersion.objects.values("meeting_id"))


class MeetingRecordsPolicy(Policy):
    model = Meeting
    rules = {
        "view_attendance": Rule(
            ANYONE,
            {M.OPEN, M.CLOSED, M.MINUTES_PUBLISHED},
            otherwise=_("The meeting has not started."),
        ),
        "view_attendees": Rule(RUNNER),
        "mark_attendance": Rule(
            RUNNER,
            RECORDING,
            otherwise=RECORDING_ONLY,
            check=_online,
            check_q=lambda u: Q(kind__in=ONLINE_KINDS),
        ),
        "draft_minutes": Rule(RUNNER, RECORDING, otherwise=RECORDING_ONLY),
        "record_decision": Rule(RUNNER, RECORDING, otherwise=RECORDING_ONLY),
        "publish_minutes": Rule(
            RUNNER,
            moves=("publish_minutes",),
            check=_has_minutes,
            check_q=_has_minutes_q,
        ),
        # Published minutes are public; drafts are for those who write them.
        "view_minutes": (
            Rule(ANYONE, {M.MINUTES_PUBLISHED}),
            Rule(RUNNER, RECORDING | {M.MINUTES_PUBLISHED}),
        ),
    }


CONSULTATION_ONLY = _(
    "The assembly can give a formal opinion only while the claim is in public consultation."
)


def claim_in_consultation(claim: Claim) -> bool:
    return claim.state == Claim.State.CONSULTATION and (
        claim.consultation_ends_at is None or timezone.now() < claim.consultation_ends_at
    )


def claims_in_consultation_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}state": Claim.State.CONSULTATION}) & (
        Q(**{f"{prefix}consultation_ends_at__isnull": True})
        | Q(**{f"{prefix}consultation_ends_at__gt": timezone.now()})
    )


def _in_consultation(user, opinion: Opinion):
    return ALLOW if claim_in_consultation(opinion.claim) else deny_state(CONSULTATION_ONLY)


def _in_consultation_q(user) -> Q:
    return claims_in_consultation_q("claim__")


def _claim_open(user, opinion: Opinion):
    if not opinion.claim.is_open:
        return deny_state(_("The city has already decided on this claim."))
    return ALLOW


class OpinionPolicy(Policy):
    model = Opinion
    rules = {
        "view": (Rule(ANYONE, {O.ADOPTED, O.WITHDRAWN}), Rule(COORDINATOR)),
        # `obj` is the unsaved opinion (its assembly and claim set).
        "create": Rule(COORDINATOR, {O.DRAFT}, check=_in_consultation, check_q=_in_consultation_q),
        "edit": Rule(
            COORDINATOR,
            {O.DRAFT},
            otherwise=_("Only a draft opinion can be changed."),
            check=_in_consultation,
            check_q=_in_consultation_q,
        ),
        "adopt": Rule(
            COORDINATOR, moves=("adopt",), check=_in_consultation, check_q=_in_consultation_q
        ),
        "withdraw": Rule(
            COORDINATOR,
            moves=("withdraw",),
            check=_claim_open,
            check_q=lambda u: Q(claim__state__in=sorted(OPEN_STATES)),
        ),
    }


records_policy = MeetingRecordsPolicy()
opinion_policy = register(OpinionPolicy())

POLICIES = (records_policy, opinion_policy)
