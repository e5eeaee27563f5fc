"""The live groups of a meeting's motions on the shared live layer (``live/``).

- ``live.motions.<meeting>`` (kind ``motions``): the tally of the meeting's open and decided
  motions: the projector and the members' page; anyone may follow it.
- ``live.chair.<meeting>`` (kind ``chair``): the same, plus drafts, who is checked in, the
  room tablets and the tokens waiting on them: the chair's console.
- ``live.roomtablet.<tablet>`` and ``live.roomkiosks.<meeting>``: per-socket groups of the
  room tablets, only told to ``refresh`` (their state carries their token).

Services call ``push(meeting_id)`` inside their transaction: the marks go out after commit and
the broadcaster coalesces them (one message per group per window).
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Prefetch, Q, prefetch_related_objects

from live import broadcast

MEETING = "motions"
CHAIR = "chair"


def tablet_group(pk: int) -> str:
    return f"live.roomtablet.{pk}"


def kiosks_group(meeting_pk: int) -> str:
    return f"live.roomkiosks.{meeting_pk}"


def push(meeting_id: int, *, kiosks: bool = False, tablet_ids=()) -> None:
    """After commit: mark the meeting's groups dirty; tell tablets to refresh."""

    def send():
        broadcast.mark_dirty(MEETING, meeting_id)
        broadcast.mark_dirty(CHAIR, meeting_id)
        groups = [tablet_group(t) for t in tablet_ids]
        if kiosks:
            groups.append(kiosks_group(meeting_id))
        if groups:
            broadcast.notify(groups, "kiosk.refresh")

    transaction.on_commit(send)


def tablet_revoked(tablet_id: int) -> None:
    transaction.on_commit(lambda: broadcast.notify([tablet_group(tablet_id)], "kiosk.revoked"))


# Snapshots ----------------------------------------------------------------------------------


def quorum_needed(motion) -> int:
    eligible = motion.eligible or 0
    percent = motion.quorum_percent or 0
    return -(-eligible * percent // 100)  # ceiling


def live_tallies(motion_ids) -> dict[int, dict]:
    """{motion id: {choice or "option:<id>": votes}} in one query."""
    found: dict[int, dict] = defaultdict(dict)
    from assemblies.motions.models import Vote

    rows = (
        Vote.objects.filter(motion_id__in=list(motion_ids))
        .values_list("motion_id", "choice", "option_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for motion_id, choice, option_id, n in rows:
        key = f"option:{option_id}" if option_id else choice
        found[motion_id][key] = n
    return found


# What a row shows of a motion (the rest, e.g. its text, is not read).
ROW_FIELDS = (
    "title",
    "kind",
    "secret",
    "state",
    "eligible",
    "quorum_percent",
    "tally",
    "outcome",
)


def _motion_rows(meeting_id: int, *, drafts: bool) -> list[dict]:
    """The rows of the meeting's motions: two queries whatever their number (the motions, and
    their votes counted in one aggregate), plus one for the options of option motions and one
    for the objections (with their authors) of consent motions, if there are such motions.

    ``voters``: every vote writes one ``Participation`` and one ``Vote`` in one transaction,
    so an open motion's voters are the sum of its counts; a closed one's were recorded with
    its tally when it closed (its votes are counted again only for a tally without them)."""
    from assemblies.motions.models import Motion, MotionKind, MotionState, Objection, ObjectionState

    hidden = [MotionState.DISCARDED] if drafts else [MotionState.DISCARDED, MotionState.DRAFT]
    motions = list(
        Motion.objects.filter(meeting_id=meeting_id).exclude(state__in=hidden).only(*ROW_FIELDS)
    )
    recorded = {
        m.pk: m.tally["voters"]
        for m in motions
        if m.is_closed and m.tally and isinstance(m.tally.get("voters"), int)
    }
    counted = [m.pk for m in motions if m.pk not in recorded and m.state != MotionState.DRAFT]
    tallies = live_tallies(counted) if counted else {}
    prefetch_related_objects([m for m in motions if m.kind == MotionKind.OPTIONS], "options")
    prefetch_related_objects(
        [m for m in motions if m.kind == MotionKind.CONSENT],
        Prefetch("objections", queryset=Objection.objects.select_related("user")),
    )
    rows = []
    for m in motions:
        counts = m.tally.get("counts", {}) if m.is_closed and m.tally else tallies.get(m.pk, {})
        needed = quorum_needed(m)
        voters = recorded[m.pk] if m.pk in recorded else sum(tallies.get(m.pk, {}).values())
        rows.append(
            {
                "id": m.pk,
                "title": m.title,
                "kind": m.kind,
                "secret": m.secret,
                "state": m.state,
                "state_label": str(m.get_state_display()),
                "choices": [
                    {"key": c.value, "label": str(c.label), "votes": counts.get(c.value, 0)}
                    for c in m.choices
                    if c.value != "option"
                ],
                "options": [
                    {"id": o.pk, "label": o.label, "votes": counts.get(f"option:{o.pk}", 0)}
                    for o in (m.options.all() if m.kind == MotionKind.OPTIONS else ())
                ],
                "voters": voters,
                "eligible": m.eligible,
                "quorum_needed": needed,
                "quorum_reached": m.eligible is not None and voters >= needed,
                "objections": [
                    {
                        "id": o.pk,
                        "member": o.user.get_full_name(),
                        "reason": o.reason,
                        "state": o.state,
                        "standing": o.state == ObjectionState.STANDING,
                    }
                    for o in (m.objections.all() if m.kind == MotionKind.CONSENT else ())
                ],
                "outcome": m.outcome,
                "outcome_label": str(m.get_outcome_display()) if m.outcome else "",
            }
        )
    return rows


def _meeting(meeting_id: int):
    from assemblies.models import Meeting

    return Meeting.objects.filter(pk=meeting_id).only("pk", "title", "state", "kind").first()


def _checked_in_count(meeting_id: int) -> int:
    """``meeting.checked_in_users().count()`` without the join and the DISTINCT: a person has
    one live registration per meeting (the constraint ``registration_one_live_per_person``)."""
    from assemblies.models import Registration, RegistrationState

    return (
        Registration.objects.filter(meeting_id=meeting_id, state=RegistrationState.REGISTERED)
        .filter(Q(checked_in_at__isnull=False) | Q(attended_online=True))
        .count()
    )


def meeting_snapshot(meeting_id: int) -> tuple[dict, float]:
    meeting = _meeting(meeting_id)
    if meeting is None:
        return {"missing": True}, 0.0
    motions = _motion_rows(meeting_id, drafts=False)
    return {
        "meeting": meeting.pk,
        "state": meeting.state,
        "checked_in": _checked_in_count(meeting_id),
        "motions": motions,
        "open": [m["id"] for m in motions if m["state"] == "open"],
    }, 0.0


def chair_snapshot(meeting_id: int) -> tuple[dict, float]:
    from assemblies.motions.models import RoomTablet, TokenState, VoteToken

    meeting = _meeting(meeting_id)
    if meeting is None:
        return {"missing": True}, 0.0
    motions = _motion_rows(meeting_id, drafts=True)
    present = [
        {"id": u.pk, "name": u.get_full_name()}
        for u in meeting.checked_in_users().order_by("display_name", "pk")
    ]
    waiting = {
        t.tablet_id: t.user.get_full_name()
        for t in VoteToken.objects.filter(
            tablet__meeting_id=meeting_id, state=TokenState.ISSUED
        ).select_related("user")
    }
    tablets = [
        {"id": t.pk, "label": t.label, "waiting_for": waiting.get(t.pk, "")}
        for t in RoomTablet.objects.filter(meeting_id=meeting_id, revoked_at__isnull=True)
    ]
    return {
        "meeting": meeting.pk,
        "state": meeting.state,
        "checked_in": len(present),
        "present": present,
        "tablets": tablets,
        "motions": motions,
        "open": [m["id"] for m in motions if m["state"] == "open"],
    }, 0.0
