"""Who may do what with voting sessions, in one place.

Facilitators act only on the sessions they are assigned to; officers plan sessions, watch
them, enter paper ballots and may sign off a reconciliation; administrators may do everything.
Each rule answers "may this user do X to this session?"; ``sessions_visible_to`` answers
"which sessions may this user see?". ``allowed(user, action, session)`` dispatches on the
Action constants, which the permission-matrix test walks for every role and session state.
"""

from enum import StrEnum

from django.db.models import QuerySet

from budgeting.live.models import VotingSession
from citizens.rules import (
    PERM_FACILITATE,
    PERM_OFFICER,
    is_administrator,
    is_facilitator,
    is_officer,
)

# Django permission names this app relies on ("app_label.codename"); a test checks each exists.
PERM_RUN_SESSIONS = PERM_FACILITATE
PERM_PLAN_SESSIONS = PERM_OFFICER
ALL_PERMISSIONS = [PERM_RUN_SESSIONS, PERM_PLAN_SESSIONS]

S = VotingSession.State


class Action(StrEnum):
    VIEW = "session.view"  # the console, the dashboard socket, the reconciliation page
    PLAN = "session.plan"  # create and edit a session, assign facilitators
    OPEN = "session.open"
    PAUSE = "session.pause"
    RESUME = "session.resume"
    CLOSE = "session.close"
    PAIR = "tablet.pair"  # show a pairing code
    REVOKE = "tablet.revoke"
    CHECK_IN = "checkin.create"
    VOID = "token.void"
    REISSUE = "token.reissue"
    RECONCILE = "session.reconcile"
    PAPER = "paper.enter"


def is_session_facilitator(user, session: VotingSession) -> bool:
    """Assigned to this session and still holding the facilitator permission."""
    if not is_facilitator(user):
        return False
    cached = getattr(session, "_facilitator_ids", None)
    if cached is not None:
        return user.pk in cached
    return session.facilitators.filter(pk=user.pk).exists()


def _runs(user, session: VotingSession) -> bool:
    return is_administrator(user) or is_session_facilitator(user, session)


def can_view_session(user, session: VotingSession) -> bool:
    return user.is_authenticated and (is_officer(user) or _runs(user, session))


def can_plan_session(user, session: VotingSession | None = None) -> bool:
    if not is_officer(user):
        return False
    return session is None or session.state == S.PLANNED


def can_open_session(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.state == S.PLANNED


def can_pause_session(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.state == S.OPEN


def can_resume_session(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.state == S.PAUSED


def can_close_session(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.can_move_to(S.CLOSED)


def can_pair_tablet(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.state in VotingSession.PAIRING_STATES


def can_revoke_tablet(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.state != S.RECONCILED


def can_check_in(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.state == S.OPEN


def can_void_token(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.state in VotingSession.CASTING_STATES


def can_reissue_token(user, session: VotingSession) -> bool:
    return _runs(user, session) and session.state == S.OPEN


def can_reconcile(user, session: VotingSession) -> bool:
    return (is_officer(user) or _runs(user, session)) and session.state == S.CLOSED


def can_enter_paper(user, session: VotingSession) -> bool:
    return is_officer(user) and session.state in VotingSession.PAPER_STATES


RULES = {
    Action.VIEW: can_view_session,
    Action.PLAN: can_plan_session,
    Action.OPEN: can_open_session,
    Action.PAUSE: can_pause_session,
    Action.RESUME: can_resume_session,
    Action.CLOSE: can_close_session,
    Action.PAIR: can_pair_tablet,
    Action.REVOKE: can_revoke_tablet,
    Action.CHECK_IN: can_check_in,
    Action.VOID: can_void_token,
    Action.REISSUE: can_reissue_token,
    Action.RECONCILE: can_reconcile,
    Action.PAPER: can_enter_paper,
}


def allowed(user, action: Action, session: VotingSession) -> bool:
    return RULES[action](user, session)


# Queryset twin ----------------------------------------------------------------------------


def sessions_visible_to(user) -> QuerySet:
    """Officers and administrators see every session; facilitators their own; others none."""
    if not user.is_authenticated:
        return VotingSession.objects.none()
    if is_officer(user) or is_administrator(user):
        return VotingSession.objects.all()
    if is_facilitator(user):
        return VotingSession.objects.filter(facilitators=user)
    return VotingSession.objects.none()
