"""Open data on motions: GET /api/meetings/{id}/motions lists a meeting's closed motions with
their kind, outcome, tally, quorum and majority; for named votes who voted what; the formal
opinion a motion put to the vote and whether it adopted it. A secret motion never exposes its
voters (its votes carry no person)."""

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from assemblies import selectors
from assemblies.motions.models import Motion, MotionKind
from assemblies.rules import MEETING, Action
from core.api import BoundedLimitOffset, Id

router = Router(tags=["motions"])


class OptionOut(Schema):
    id: int
    label: str
    votes: int


class NamedVoteOut(Schema):
    name: str
    vote: str
    option: str | None


class MotionOut(Schema):
    id: int
    title: str
    text: str
    kind: str
    secret: bool
    agenda_item: str | None
    outcome: str
    winning_option: str | None
    counts: dict[str, int]
    options: list[OptionOut]
    voters: int
    eligible: int
    quorum_percent: int | None
    quorum_needed: int
    majority: str
    objections: dict[str, int]
    closed_at: dt.datetime | None
    named_votes: list[NamedVoteOut] | None
    opinion: int | None = Field(
        None, description="The formal opinion this motion put to the vote, if any."
    )
    opinion_adopted: bool = Field(
        False, description="Whether the motion's outcome adopted that opinion."
    )


def motion_row(m: Motion) -> dict:
    tally = m.tally or {}
    counts = tally.get("counts", {})
    return {
        "id": m.pk,
        "title": m.title,
        "text": m.text,
        "kind": m.kind,
        "secret": m.secret,
        "agenda_item": m.agenda_item.title if m.agenda_item_id else None,
        "outcome": m.outcome,
        "winning_option": m.winning_option.label if m.winning_option_id else None,
        "counts": {k: v for k, v in counts.items() if not k.startswith("option:")},
        "options": [
            {"id": o.pk, "label": o.label, "votes": counts.get(f"option:{o.pk}", 0)}
            for o in m.options.all()
        ]
        if m.kind == MotionKind.OPTIONS
        else [],
        "voters": tally.get("voters", 0),
        "eligible": tally.get("eligible", m.eligible or 0),
        "quorum_percent": m.quorum_percent,
        "quorum_needed": tally.get("quorum_needed", 0),
        "majority": m.majority,
        "objections": tally.get("objections", {}),
        "closed_at": m.closed_at,
        # Secret votes are stored without a person; never list anything for them.
        "named_votes": None
        if m.secret
        else [
            {
                "name": v.user.get_short_name(),
                "vote": v.choice,
                "option": v.option.label if v.option_id else None,
            }
            for v in m.named_votes
        ],
        "opinion": m.opinion_id,
        "opinion_adopted": m.adopted_the_opinion,
    }


class _Rows:
    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [motion_row(m) for m in self.qs[item]]


@router.get(
    "/meetings/{int:meeting_id}/motions", response=list[MotionOut], url_name="meeting-motions"
)
@paginate(BoundedLimitOffset)
def meeting_motions(request, meeting_id: Id):
    meeting = selectors.meetings_with_counts().filter(pk=meeting_id).first()
    if meeting is None or not MEETING.can(request.user, Action.VIEW_MEETING, meeting):
        raise Http404
    return _Rows(Motion.objects.for_minutes(meeting))
