"""Planning, opening, pausing, closing and signing off voting sessions; pairing codes."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from budgeting.live import credentials, selectors
from budgeting.live.conf import live_setting
from budgeting.live.models import BallotToken, VotingSession
from budgeting.live.rules import Action
from budgeting.live.services.common import LiveError, lock_session, push, require
from budgeting.live.services.tokens import expire_lapsed, finish_issued
from budgeting.models import Process
from citizens.models import User
from citizens.rules import is_facilitator
from core.fsm import fire

S = VotingSession.State

PLAN_FIELDS = ("process", "place_name", "address", "district", "starts_at", "ends_at")


def _check_facilitators(facilitators) -> list[User]:
    people = list(facilitators)
    missing = [str(u) for u in people if not is_facilitator(u)]
    if missing:
        raise LiveError(
            _("These people do not have the facilitator role: %(names)s.")
            % {"names": ", ".join(missing)},
            code="not_facilitator",
        )
    return people


def _check_dates(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise LiveError(_("The session must end after it starts."), code="dates")


def session_create(
    *,
    actor: User,
    process: Process,
    place_name: str,
    starts_at: datetime,
    ends_at: datetime,
    address: str = "",
    district: str = "",
    facilitators=(),
) -> VotingSession:
    """An officer plans a session of a process: where, when and who runs it."""
    require(actor, Action.PLAN, None)
    _check_dates(starts_at, ends_at)
    people = _check_facilitators(facilitators)
    if process.state not in (Process.State.DRAFT, Process.State.REVIEW, Process.State.VOTING):
        raise LiveError(
            _("Sessions can be planned only before or during voting."), code="process_state"
        )
    with transaction.atomic():
        session = VotingSession.objects.create(
            process=process,
            place_name=place_name.strip(),
            address=address.strip(),
            district=district.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=actor,
        )
        session.facilitators.set(people)
        audit_log(
            actor=actor,
            action="pb_live.session_create",
            obj=session,
            after=_plan_snapshot(session, people),
        )
    return session


def session_update(*, actor: User, session: VotingSession, facilitators=None, **fields):
    """Change a planned session (place, times, facilitators)."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"session_update got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = lock_session(session)
        require(actor, Action.PLAN, locked)
        before = _plan_snapshot(locked, locked.facilitators.all())
        for name, value in fields.items():
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        _check_dates(locked.starts_at, locked.ends_at)
        locked.save()
        people = locked.facilitators.all()
        if facilitators is not None:
            people = _check_facilitators(facilitators)
            locked.facilitators.set(people)
        audit_log(
            actor=actor,
            action="pb_live.session_update",
            obj=locked,
            before=before,
            after=_plan_snapshot(locked, people),
        )
        push(session_id=locked.pk)
    return locked


def _plan_snapshot(session: VotingSession, people) -> dict:
    return {
        "process": session.process_id,
        "place": session.place_name,
        "address": session.address,
        "district": session.district,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "facilitators": sorted(u.pk for u in people),
    }


def _transition(*, actor: User, session: VotingSession, to: str, action: Action, verb: str):
    now = timezone.now()
    with transaction.atomic():
        locked = lock_session(session)
        require(actor, action, locked)
        if not locked.can_move_to(to):
            raise LiveError(
                _("A session that is “%(state)s” cannot move to “%(to)s”.")
                % {"state": locked.get_state_display(), "to": S(to).label},
                code="transition",
            )
        extra, changes = {}, {}
        if to == S.OPEN and not locked.process.voting_is_open(now):
            raise LiveError(
                _("Voting is not open in “%(process)s”: the session cannot open.")
                % {"process": locked.process},
                code="process_closed",
            )
        if to == S.OPEN and locked.opened_at is None:
            changes["opened_at"] = now
        if to == S.CLOSED:
            extra = _close(locked, now)
            changes.update(
                closed_at=locked.closed_at,
                pairing_code_hash=locked.pairing_code_hash,
                pairing_code_expires_at=locked.pairing_code_expires_at,
            )
        fire(
            locked,
            verb,
            actor=actor,
            audit_action=f"pb_live.session_{verb}",
            audit_after=extra,
            **changes,
        )
        push(process_id=locked.process_id, session_id=locked.pk, kiosk_sessions=[locked.pk])
    return locked


def _close(session: VotingSession, now) -> dict:
    """Closing ends every open token (expired if due, otherwise voided) and pairing."""
    tokens = BallotToken.objects.filter(session=session)
    expired = expire_lapsed(tokens, now=now)
    voided = finish_issued(
        tokens, BallotToken.State.VOIDED, reason=BallotToken.VoidReason.CLOSED, now=now
    )
    session.closed_at = now
    session.pairing_code_hash = ""
    session.pairing_code_expires_at = None
    return {"tokens_voided": voided, "tokens_expired": expired}


def session_open(*, actor: User, session: VotingSession) -> VotingSession:
    """Open a planned session: check-ins may start (voting must be open in the process)."""
    return _transition(actor=actor, session=session, to=S.OPEN, action=Action.OPEN, verb="open")


def session_pause(*, actor: User, session: VotingSession) -> VotingSession:
    """Pause: no new check-ins; voters already at a tablet may still cast."""
    return _transition(actor=actor, session=session, to=S.PAUSED, action=Action.PAUSE, verb="pause")


def session_resume(*, actor: User, session: VotingSession) -> VotingSession:
    return _transition(actor=actor, session=session, to=S.OPEN, action=Action.RESUME, verb="resume")


def session_close(*, actor: User, session: VotingSession) -> VotingSession:
    """Close: tokens still open are voided, tablets stop, the reconciliation can start."""
    return _transition(actor=actor, session=session, to=S.CLOSED, action=Action.CLOSE, verb="close")


def session_reconcile(*, actor: User, session: VotingSession, note: str = "") -> VotingSession:
    """Sign off a closed session's counts. Differences need an explanation in the note."""
    note = (note or "").strip()
    with transaction.atomic():
        locked = lock_session(session)
        require(actor, Action.RECONCILE, locked)
        counts = selectors.reconciliation(locked)
        if counts["mismatches"] and not note:
            raise LiveError(
                _("The counts do not match: explain the differences in the note to sign off."),
                code="note_required",
            )
        fire(
            locked,
            "reconcile",
            actor=actor,
            reason=note,
            audit_action="pb_live.session_reconcile",
            audit_after={"counts": counts},
            reconciled_at=timezone.now(),
            reconciled_by=actor,
            reconciliation=counts,
            reconciliation_note=note,
        )
        push(session_id=locked.pk)
    return locked


def pairing_code_issue(*, actor: User, session: VotingSession) -> tuple[str, datetime]:
    """A new pairing code for the session (the previous one stops working).

    Returns the code to show (only its HMAC is stored) and when it expires. The code pairs
    one tablet.
    """
    ttl = timedelta(seconds=live_setting("PB_LIVE_PAIRING_TTL"))
    for _attempt in range(5):
        code = credentials.pairing_code_new()
        try:
            with transaction.atomic():
                locked = lock_session(session)
                require(actor, Action.PAIR, locked)
                locked.pairing_code_hash = credentials.pairing_code_hash(code)
                locked.pairing_code_expires_at = timezone.now() + ttl
                locked.save(update_fields=["pairing_code_hash", "pairing_code_expires_at"])
                audit_log(
                    actor=actor,
                    action="pb_live.pairing_code",
                    obj=locked,
                    after={"expires_at": locked.pairing_code_expires_at},
                )
                push(session_id=locked.pk)
        except IntegrityError:  # the same code is live in another session: draw again
            continue
        return credentials.pairing_code_display(code), locked.pairing_code_expires_at
    raise ValidationError(_("Could not draw a pairing code. Try again."), code="pairing")
