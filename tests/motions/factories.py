"""Meetings with members for motion tests (assemblies' own factories may replace these)."""

import itertools
from datetime import timedelta

from django.utils import timezone

from assemblies.models import (
    Assembly,
    AssemblyKind,
    CharterVersion,
    Meeting,
    MeetingKind,
    MeetingState,
    Membership,
    MembershipState,
    Registration,
    RegistrationState,
    Role,
)
from assemblies.motions import services
from assemblies.motions.models import MotionKind
from tests.citizens.factories import user_create

_seq = itertools.count(1)


def assembly_make(*, quorum=50, majority="simple", consent_rule="Two thirds of those present"):
    n = next(_seq)
    assembly = Assembly.objects.create(
        name=f"Assembly {n}", slug=f"assembly-{n}", kind=AssemblyKind.THEMATIC
    )
    CharterVersion.objects.create(
        assembly=assembly,
        number=1,
        text="We care for the commons.",
        quorum_percent=quorum,
        majority=majority,
        consent_rule=consent_rule,
    )
    return assembly


def member_make(assembly, role=Role.MEMBER, **kwargs):
    user = user_create(**kwargs)
    Membership.objects.create(assembly=assembly, user=user, role=role, state=MembershipState.ACTIVE)
    return user


def meeting_make(assembly, *, kind=MeetingKind.HYBRID, state=MeetingState.OPEN, chair=None):
    now = timezone.now()
    return Meeting.objects.create(
        assembly=assembly,
        title="Monthly meeting",
        kind=kind,
        place="Sala Rossa",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        state=state,
        chair=chair,
    )


def register(meeting, user, *, checked_in=False):
    return Registration.objects.create(
        meeting=meeting,
        user=user,
        state=RegistrationState.REGISTERED,
        checked_in_at=timezone.now() if checked_in else None,
    )


def setup(*, members=3, kind=MeetingKind.HYBRID, quorum=50, majority="simple"):
    """An open meeting with a chair (a coordinator), `members` voting members registered and
    checked in, an observer (checked in) and an outsider."""
    assembly = assembly_make(quorum=quorum, majority=majority)
    chair = member_make(assembly, Role.COORDINATOR)
    meeting = meeting_make(assembly, kind=kind, chair=chair)
    voters = [member_make(assembly) for _ in range(members)]
    for v in voters:
        register(meeting, v, checked_in=True)
    observer = member_make(assembly, Role.OBSERVER)
    register(meeting, observer, checked_in=True)
    outsider = user_create()
    return {
        "assembly": assembly,
        "chair": chair,
        "meeting": meeting,
        "voters": voters,
        "observer": observer,
        "outsider": outsider,
    }


def motion_make(
    meeting, chair, *, kind=MotionKind.YES_NO_ABSTAIN, secret=False, options=(), open_it=True
):
    motion = services.motion_create(
        actor=chair,
        meeting=meeting,
        title="Adopt the garden rules",
        kind=kind,
        secret=secret,
        options=options,
    )
    if open_it:
        services.motion_open(actor=chair, motion=motion)
        motion.refresh_from_db()
    return motion
