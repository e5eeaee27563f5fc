"""Demo: in the Assembly of the Commons' past meeting, two decided motions (one secret, one
named); in today's hybrid meeting, a paired room tablet and a draft motion ready to open.
Runs after the assemblies demo; idempotent (motions and tablets found by title and label).

The past motions go through the services at the time they were voted (core.clock): the
meeting is shown as in progress for that moment only, so the votes, the outcome and the audit
trail are what a real vote leaves.
"""

import datetime as dt

from assemblies import demo as assemblies_demo
from assemblies.models import Meeting, MeetingState
from assemblies.motions import services
from assemblies.motions.models import Motion, MotionKind, RoomTablet
from citizens.models import User
from core.clock import travel_to

BALLOT_TITLE = "Open membership: amend the charter so that anyone may join"
NAMED_TITLE = "Opinion: the city should fund the Navile community garden"
DRAFT_TITLE = "Opinion on the claims in consultation"
TABLET_LABEL = "Room tablet (front row)"

_summary: dict[str, str] = {}


def _past(meeting, chair, voters):
    if Motion.objects.filter(meeting=meeting, title__in=[BALLOT_TITLE, NAMED_TITLE]).count() == 2:
        return
    start = meeting.starts_at
    state = meeting.state
    Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.OPEN)
    meeting.state = MeetingState.OPEN
    items = list(meeting.agenda_items.all())
    try:
        for offset, title, secret, choices in (
            (30, BALLOT_TITLE, True, ["yes", "yes", "no"]),
            (75, NAMED_TITLE, False, ["yes", "abstain", "yes"]),
        ):
            if Motion.objects.filter(meeting=meeting, title=title).exists():
                continue
            with travel_to(start + dt.timedelta(minutes=offset)):
                motion = services.motion_create(
                    actor=chair,
                    meeting=meeting,
                    title=title,
                    kind=MotionKind.YES_NO_ABSTAIN,
                    secret=secret,
                    agenda_item=items[0] if items and secret else (items[-1] if items else None),
                )
                services.motion_open(actor=chair, motion=motion)
            with travel_to(start + dt.timedelta(minutes=offset + 5)):
                for voter, choice in zip(voters, choices, strict=False):
                    services.vote_cast(actor=voter, motion=motion, choice=choice)
            # Closing records the outcome as a decision on the meeting's trail, which the
            # assemblies demo has already closed: the votes close when the meeting does.
            with travel_to(meeting.closed_at or start + dt.timedelta(minutes=offset + 10)):
                services.motion_close(actor=chair, motion=motion)
    finally:
        Meeting.objects.filter(pk=meeting.pk).update(state=state)
        meeting.state = state


def _today(meeting, chair):
    if not RoomTablet.objects.filter(meeting=meeting, label=TABLET_LABEL).exists():
        code = services.pairing_code(actor=chair, meeting=meeting)
        services.tablet_pair(code=code, label=TABLET_LABEL)
    if not Motion.objects.filter(meeting=meeting, title=DRAFT_TITLE).exists():
        items = list(meeting.agenda_items.all())
        services.motion_create(
            actor=chair,
            meeting=meeting,
            title=DRAFT_TITLE,
            text="The assembly gives the city its opinion on the claims now in consultation.",
            kind=MotionKind.YES_NO_ABSTAIN,
            agenda_item=items[1] if len(items) > 1 else None,
        )


def seed(stdout) -> None:
    chair = User.objects.filter(email="resident@partnercity.local").first()
    past = Meeting.objects.filter(title=assemblies_demo.PAST_TITLE).first()
    today = Meeting.objects.filter(title=assemblies_demo.TODAY_TITLE).order_by("-pk").first()
    if chair is None or past is None or today is None:
        stdout.write("Motions demo skipped: no assemblies demo.")
        return
    voters = list(past.checked_in_users().order_by("pk"))
    _past(past, chair, voters)
    if today.is_open:
        _today(today, chair)
    _summary.update(
        past=past.get_absolute_url(),
        console=f"/motions/meetings/{today.pk}/console/",
        vote=f"/motions/meetings/{today.pk}/vote/",
        projector=f"/motions/meetings/{today.pk}/projector/",
    )


def describe() -> str:
    if not _summary:
        return ""
    return "\n".join(
        [
            "Motions in meetings:",
            f"  decided motions (one secret, one named): {_summary['past']}",
            f"  today's console (as resident@, the chair): {_summary['console']}"
            " — open the draft motion; 'Show a pairing code' pairs another browser as a"
            " room tablet at /motions/kiosk/",
            f"  members vote at {_summary['vote']} (e.g. resident2@ in a second browser);"
            f" projector: {_summary['projector']}",
        ]
    )
