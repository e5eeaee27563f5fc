"""Checking a voter in, and what a facilitator does with tokens afterwards."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from budgeting.eligibility import eligibility_check
from budgeting.live.conf import live_setting
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.rules import Action
from budgeting.live.services.common import LiveError, lock_session, push, require
from budgeting.live.services.tokens import (
    Issued,
    expire_lapsed,
    idle_tablet,
    issue_token,
)
from budgeting.models import Channel, Participation
from budgeting.services import participation_register
from citizens.census import census_lookup
from citizens.models import User
from citizens.throttle import Throttle
from core.fsm import fire

T = BallotToken.State


@dataclass(frozen=True)
class CheckinResult:
    participation: Participation
    issued: Issued
    replaced_online: bool  # the person had voted online; this in-person ballot replaces it


def checkin_throttle() -> Throttle:
    limit, window = live_setting("PB_LIVE_CHECKIN_THROTTLE")
    return Throttle("pb_live_checkin", limit, window)


def checkin_create(
    *,
    actor: User,
    session: VotingSession,
    document_id: str,
    birth_date: dt.date,
    tablet: Tablet | None = None,
) -> CheckinResult:
    """Check a voter in at an open session and issue their one-time ballot token.

    The census lookup and eligibility are budgeting's; the participation is recorded by
    budgeting's ``participation_register`` under its lock and the unique (process, identity)
    constraint, which applies the cross-channel rule (already in person: refused; already
    online: refused, or replaced if the process allows it). The token is created in the same
    transaction, bound to the chosen idle tablet or behind a short code, and knows nothing of
    the person. Unknown documents count against a per-facilitator throttle.
    """
    require(actor, Action.CHECK_IN, session)
    throttle = checkin_throttle()
    idents = (f"user:{actor.pk}",)
    if throttle.blocked(*idents):
        raise LiveError(
            _("Too many unknown documents in a row. Wait a few minutes and try again."),
            code="throttled",
        )
    record = census_lookup(document_id=document_id, birth_date=birth_date)
    if record is None:
        throttle.hit(*idents)
        raise LiveError(
            _("No census record matches this document number and birth date."),
            code="not_found",
        )
    process = session.process
    if not process.voting_is_open():
        raise LiveError(_("Voting is not open in this process."), code="closed")
    district = eligibility_check(process=process, census_record=record)
    with transaction.atomic():
        locked = lock_session(session)
        require(actor, Action.CHECK_IN, locked)
        target = idle_tablet(locked, tablet) if tablet is not None else None
        before = (
            Participation.objects.filter(process=process, census_record=record)
            .values_list("channel", flat=True)
            .first()
        )
        participation = participation_register(
            process=process,
            census_record=record,
            channel=Channel.IN_PERSON,
            session_id=locked.pk,
            recorded_by=actor,
        )
        issued = issue_token(session=locked, actor=actor, district=district, tablet=target)
        replaced = before == Channel.ONLINE
        audit_log(
            actor=actor,
            action="pb_live.checkin",
            obj=locked,
            after={
                "participation": participation.pk,
                "district": district,
                "delivery": "tablet" if target else "code",
                "tablet": target.label if target else "",
                "replaced_online": replaced,
            },
        )
        push(
            process_id=process.pk,
            session_id=locked.pk,
            tablet_ids=[target.pk] if target else [],
        )
    return CheckinResult(participation=participation, issued=issued, replaced_online=replaced)


def _locked_token(session: VotingSession, token: BallotToken) -> BallotToken:
    locked = (
        BallotToken.objects.select_for_update(of=("self",))
        .filter(pk=token.pk, session=session)
        .first()
    )
    if locked is None:
        raise LiveError(_("This token does not belong to this session."), code="bad_token")
    return locked


def token_void(
    *,
    actor: User,
    session: VotingSession,
    token: BallotToken,
    reason: str = BallotToken.VoidReason.FACILITATOR,
) -> BallotToken:
    """The facilitator voids a token that has not been used (the tablet resets)."""
    with transaction.atomic():
        locked_session = lock_session(session)
        require(actor, Action.VOID, locked_session)
        locked = _locked_token(locked_session, token)
        expire_lapsed(BallotToken.objects.filter(pk=locked.pk))
        locked.refresh_from_db()
        if locked.state != T.ISSUED:
            raise LiveError(
                _("This token is already %(state)s.") % {"state": locked.get_state_display()},
                code=f"token_{locked.state}",
            )
        fire(
            locked,
            "void",
            actor=actor,
            audit_action="pb_live.token_void",
            audit_after={"reason": reason},
            finished_at=timezone.now(),
            void_reason=reason,
        )
        push(session_id=locked_session.pk, tablet_ids=[locked.tablet_id])
    return locked


def token_reissue(
    *,
    actor: User,
    session: VotingSession,
    token: BallotToken,
    tablet: Tablet | None = None,
) -> Issued:
    """A new token for the voter whose token was voided or expired before they voted."""
    with transaction.atomic():
        locked_session = lock_session(session)
        require(actor, Action.REISSUE, locked_session)
        old = _locked_token(locked_session, token)
        expire_lapsed(BallotToken.objects.filter(pk=old.pk))
        old.refresh_from_db()
        if old.state == T.ISSUED:
            raise LiveError(
                _("This token is still valid: void it first if the voter needs a new one."),
                code="token_issued",
            )
        if old.state == T.USED:
            raise LiveError(_("This token was used: its ballot is counted."), code="token_used")
        if BallotToken.objects.filter(replaces=old).exists():
            raise LiveError(_("This token was already reissued."), code="already_reissued")
        target = idle_tablet(locked_session, tablet) if tablet is not None else None
        issued = issue_token(
            session=locked_session, actor=actor, district=old.district, tablet=target, replaces=old
        )
        audit_log(
            actor=actor,
            action="pb_live.token_reissue",
            obj=issued.token,
            before={"token": old.pk, "state": old.state},
            after={
                "delivery": "tablet" if target else "code",
                "tablet": getattr(target, "label", ""),
            },
        )
        push(session_id=locked_session.pk, tablet_ids=[target.pk] if target else [])
    return issued


def tokens_expire(*, session: VotingSession) -> int:
    """Mark the session's lapsed tokens expired (their tablets become idle)."""
    with transaction.atomic():
        count = expire_lapsed(BallotToken.objects.filter(session=session))
        if count:
            push(session_id=session.pk)
    return count
