"""Assemblies, meetings and records for the records tests (built on the ORM: the assemblies
app's own services are tested in tests/assemblies)."""

import datetime as dt
import itertools

from django.utils import timezone

from assemblies.models import AgendaItem, Assembly, Meeting, Membership, Registration
from core.fsm import fire
from tests.citizens.factories import user_create

_seq = itertools.count(1)


def assembly_create(*, kind=Assembly.Kind.THEMATIC, **fields) -> Assembly:
    n = next(_seq)
    return Assembly.objects.create(
        name=fields.pop("name", f"Assembly {n}"), slug=f"assembly-{n}", kind=kind, **fields
    )


def member_add(assembly, user=None, *, role=Membership.Role.MEMBER):
    user = user or user_create()
    Membership.objects.create(
        assembly=assembly, user=user, role=role, state=Membership.State.ACTIVE
    )
    return user


def coordinator_create(assembly):
    return member_add(assembly, role=Membership.Role.COORDINATOR)


def meeting_create(
    assembly, *, state=Meeting.State.PLANNED, kind=Meeting.Kind.HYBRID, chair=None, **fields
) -> Meeting:
    """A meeting brought to `state` through its machine (as the system)."""
    starts = fields.pop("starts_at", timezone.now() - dt.timedelta(hours=2))
    meeting = Meeting.objects.create(
        assembly=assembly,
        title=fields.pop("title", f"Meeting {next(_seq)}"),
        kind=kind,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        chair=chair,
        **fields,
    )
    path = {
        Meeting.State.PLANNED: [],
        Meeting.State.OPEN: ["open"],
        Meeting.State.CLOSED: ["open", "close"],
        Meeting.State.MINUTES_PUBLISHED: ["open", "close", "publish_minutes"],
        Meeting.State.CANCELLED: ["cancel"],
    }[state]
    if state == Meeting.State.MINUTES_PUBLISHED:
        from assemblies.records.models import MinutesVersion

        MinutesVersion.objects.create(meeting=meeting, number=1, text="What we said.")
    for name in path:
        fire(meeting, name, actor=None)
    return meeting


def agenda_item_create(meeting, title="Item") -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, title=title, position=1)


def registration_create(meeting, user=None, *, checked_in=False, online=False) -> Registration:
    return Registration.objects.create(
        meeting=meeting,
        user=user or user_create(),
        checked_in_at=timezone.now() if checked_in else None,
        attended_online=online,
    )


def motion_on_opinion(opinion, *, chair, meeting=None, open_it=True):
    """A motion that puts `opinion` to the vote in an open meeting of its assembly (made if not
    given), chaired by `chair` (a coordinator), who is checked in and can vote."""
    from assemblies.motions import services as motions

    if meeting is None:
        meeting = meeting_create(opinion.assembly, state=Meeting.State.OPEN, chair=chair)
    if not meeting.registrations.filter(user=chair).exists():
        registration_create(meeting, chair, checked_in=True)
    motion = motions.motion_create(actor=chair, meeting=meeting, title="", opinion=opinion)
    if open_it:
        motions.motion_open(actor=chair, motion=motion)
        motion.refresh_from_db()
    return motion


def adopt_by_motion(opinion, *, chair, choice="yes", meeting=None):
    """Put the opinion to a motion, vote `choice` as the chair (the only voter) and close it:
    "yes" carries it (no charter: no quorum, simple majority), "no" rejects it."""
    from assemblies.motions import services as motions

    motion = motion_on_opinion(opinion, chair=chair, meeting=meeting)
    motions.vote_cast(actor=chair, motion=motion, choice=choice)
    motions.motion_close(actor=chair, motion=motion)
    motion.refresh_from_db()
    opinion.refresh_from_db()
    return motion
