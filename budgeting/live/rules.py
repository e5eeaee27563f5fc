"""Who may do what with voting sessions, in one place.

Facilitators act only on the sessions they are assigned to; officers plan sessions, watch
them, enter paper ballots and may sign off a reconciliation; administrators may do everything.
One table (``SessionPolicy.rules``, read by ``core.policy``) answers "may this user do X to
this session now?" (``SESSION.allows``) and "which sessions?" (``SESSION.queryset``); the
permission-matrix test walks every action of the table for every role and session state.
"""

from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from budgeting.live.models import BallotToken, VotingSession
from citizens.rules import (
    PERM_FACILITATE,
    PERM_OFFICER,
    is_administrator,
    is_facilitator,
    is_officer,
)
from core.policy import EVERY, NONE, Policy, Rule, Who, register

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


def _runs_q(user) -> Q:
    if is_administrator(user):
        return EVERY
    if is_facilitator(user):
        mine = VotingSession.facilitators.through.objects.filter(user_id=user.pk)
        return Q(pk__in=mine.values("votingsession_id"))
    return NONE


# A session's own facilitators, and administrators.
RUNS = Who(
    "runs",
    lambda user, session: (
        is_administrator(user) or (session is not None and is_session_facilitator(user, session))
    ),
    _runs_q,
    _("Only this session's facilitators can do this."),
)
OFFICER = Who(
    "officer",
    lambda user, session: is_officer(user),
    lambda user: EVERY if is_officer(user) else NONE,
    _("Only city officers can do this."),
)

ALL_BUT_SIGNED_OFF = frozenset(set(S) - {S.RECONCILED})


class SessionPolicy(Policy):
    model = VotingSession
    rules = {
        Action.VIEW: Rule(OFFICER | RUNS),
        Action.PLAN: Rule(OFFICER, {S.PLANNED}, _("before the session opens")),
        Action.OPEN: Rule(RUNS, {S.PLANNED}, _("while it is planned")),
        Action.PAUSE: Rule(RUNS, {S.OPEN}, _("while it is open")),
        Action.RESUME: Rule(RUNS, {S.PAUSED}, _("while it is paused")),
        Action.CLOSE: Rule(RUNS, {S.PLANNED, S.OPEN, S.PAUSED}, _("until it is closed")),
        Action.PAIR: Rule(RUNS, VotingSession.PAIRING_STATES, _("until it is closed")),
        Action.REVOKE: Rule(RUNS, ALL_BUT_SIGNED_OFF, _("until it is signed off")),
        Action.CHECK_IN: Rule(RUNS, {S.OPEN}, _("while it is open")),
        Action.VOID: Rule(RUNS, VotingSession.CASTING_STATES, _("while ballots are cast")),
        Action.REISSUE: Rule(RUNS, {S.OPEN}, _("while it is open")),
        Action.RECONCILE: Rule(OFFICER | RUNS, {S.CLOSED}, _("once it is closed")),
        Action.PAPER: Rule(OFFICER, VotingSession.PAPER_STATES, _("until it is signed off")),
    }


SESSION = register(SessionPolicy())

# A token is acted on by whoever may act on its session: the token's rule defers to the
# session's, so that core.fsm.fire(token, "void", actor=...) asks the same question.
TOKEN_VOIDERS = Who(
    "session's facilitators",
    lambda user, token: token is not None and SESSION.can(user, Action.VOID, token.session),
    lambda user: Q(session__in=SESSION.queryset(user, Action.VOID).values("pk")),
    _("Only this session's facilitators can do this."),
)


class TokenPolicy(Policy):
    model = BallotToken
    rules = {
        Action.VOID: Rule(TOKEN_VOIDERS, {BallotToken.State.ISSUED}, _("until it is used")),
    }


TOKEN = register(TokenPolicy())


def allowed(user, action: Action, session: VotingSession | None) -> bool:
    """May `user` take `action` on `session` now (None: a session not yet created)?"""
    return SESSION.can(user, action, session)


def can_view_session(user, session: VotingSession) -> bool:
    return SESSION.can(user, Action.VIEW, session)


def can_plan_session(user, session: VotingSession | None = None) -> bool:
    return SESSION.can(user, Action.PLAN, session)


def sessions_visible_to(user) -> QuerySet:
    """Officers and administrators see every session; facilitators their own; others none."""
    return SESSION.queryset(user, Action.VIEW)
