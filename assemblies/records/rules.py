"""Who may keep a meeting's records and give the assembly's formal opinions.

Two tables. `MeetingRecordsPolicy` is on `assemblies.Meeting` but is not registered (the
assemblies app registers the meeting's own policy): attendance, minutes and decisions ask it
directly (`records_policy.allows(user, "draft_minutes", meeting)`). `OpinionPolicy` is
registered for `Opinion`, whose machine fires "adopt" and "withdraw". Nobody adopts an opinion:
the assembly does, by a motion voted in one of its meetings (the system fires "adopt" when
the motion closes carried), so the table's "adopt" refuses everyone and says how instead.

Who runs a meeting's records: its chair and the assembly's active coordinators.
"""

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assemblies.models import Meeting, Membership
from assemblies.motions.models import Motion, MotionState
from assemblies.records.models import MinutesVersion, Opinion
from core.policy import (
    ALLOW,
    ANYONE,
    NONE,
    Policy,
    Rule,
    Verdict,
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


# Motions that put an opinion to the vote: the one being voted on (open), and drafts in a
# meeting where they can still be opened. An opinion is before one of them at a time.
LIVE_MEETINGS = (M.PLANNED, M.OPEN)


PENDING = Q(state=MotionState.OPEN) | Q(state=MotionState.DRAFT, meeting__state__in=LIVE_MEETINGS)


def pending_motions(opinion: Opinion):
    return Motion.objects.filter(PENDING, opinion_id=opinion.pk).order_by("pk")


def opinions_to_vote_q() -> Q:
    """Opinions that can be put to a new motion: drafts on a claim in consultation, before no
    other motion (the meeting's assembly is the caller's filter)."""
    pending = Motion.objects.filter(PENDING, opinion__isnull=False).values("opinion_id")
    return Q(state=O.DRAFT) & claims_in_consultation_q("claim__") & ~Q(pk__in=pending)


# A draft put to the vote is public from the moment the vote opens (what the members vote on
# is on every screen), like the motion itself.
VOTED = (MotionState.OPEN, MotionState.CLOSED)


def _put_to_vote(user, opinion: Opinion):
    if (
        opinion.pk is not None
        and Motion.objects.filter(opinion_id=opinion.pk, state__in=VOTED).exists()
    ):
        return ALLOW
    return deny_state(_("This opinion is a draft."))


def _put_to_vote_q(user) -> Q:
    return Q(
        pk__in=Motion.objects.filter(state__in=VOTED, opinion__isnull=False).values("opinion_id")
    )


def _open_votes():
    return Motion.objects.filter(state=MotionState.OPEN, opinion__isnull=False)


IN_VOTE = _("The assembly is voting on this opinion: it cannot change until the vote closes.")


def _not_in_vote(user, opinion: Opinion):
    if opinion.pk is not None and _open_votes().filter(opinion_id=opinion.pk).exists():
        return deny_state(IN_VOTE)
    return ALLOW


def _not_in_vote_q(user) -> Q:
    return ~Q(pk__in=_open_votes().values("opinion_id"))


def _both(first, second):
    def check(user, opinion) -> Verdict:
        verdict = first(user, opinion)
        return verdict if not verdict else second(user, opinion)

    return check


def _both_q(first, second):
    return lambda user: first(user) & second(user)


NOBODY_ADOPTS = Who(
    "nobody: the assembly's vote",
    lambda u, o: False,
    lambda u: NONE,
    refusal=_(
        "An opinion is adopted by the assembly's vote: the chair puts it to a motion in one of "
        "the assembly's meetings, and it is adopted when the motion is carried."
    ),
)


class OpinionPolicy(Policy):
    model = Opinion
    rules = {
        "view": (
            Rule(ANYONE, {O.ADOPTED, O.WITHDRAWN}),
            Rule(COORDINATOR),
            Rule(ANYONE, {O.DRAFT}, check=_put_to_vote, check_q=_put_to_vote_q),
        ),
        # `obj` is the unsaved opinion (its assembly and claim set).
        "create": Rule(COORDINATOR, {O.DRAFT}, check=_in_consultation, check_q=_in_consultation_q),
        "edit": Rule(
            COORDINATOR,
            {O.DRAFT},
            otherwise=_("Only a draft opinion can be changed."),
            check=_both(_in_consultation, _not_in_vote),
            check_q=_both_q(_in_consultation_q, _not_in_vote_q),
        ),
        # Only by a motion (`services.opinion_motion_closed`, as the system).
        "adopt": Rule(NOBODY_ADOPTS),
        "withdraw": Rule(
            COORDINATOR,
            moves=("withdraw",),
            check=_both(_claim_open, _not_in_vote),
            check_q=_both_q(lambda u: Q(claim__state__in=sorted(OPEN_STATES)), _not_in_vote_q),
        ),
    }


records_policy = MeetingRecordsPolicy()
opinion_policy = register(OpinionPolicy())

POLICIES = (records_policy, opinion_policy)
