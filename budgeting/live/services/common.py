"""What every live-voting service shares: permission checks, errors, after-commit pushes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budgeting.live import broadcast
from budgeting.live.models import VotingSession
from budgeting.live.rules import Action, allowed


class LiveError(ValidationError):
    """A refusal the user can act on; ``code`` names it for JSON clients and tests."""


def require(actor, action: Action, session: VotingSession | None) -> None:
    """Raise PermissionDenied unless the actor may do this to the session in its state."""
    if allowed(actor, action, session):
        return
    if session is None:
        raise PermissionDenied(_("Only city officers can plan voting sessions."))
    if getattr(actor, "is_authenticated", False):
        state = session.get_state_display()
        raise PermissionDenied(
            _("You cannot do this in a session that is “%(state)s”, or it is not yours.")
            % {"state": state}
        )
    raise PermissionDenied(_("Log in as a facilitator of this session."))


def lock_session(session: VotingSession) -> VotingSession:
    """Lock the session row (inside transaction.atomic) and keep the caller's cached data."""
    locked = VotingSession.objects.select_for_update(of=("self",)).get(pk=session.pk)
    if hasattr(session, "_facilitator_ids"):
        locked._facilitator_ids = session._facilitator_ids
    return locked


def push(*, process_id=None, session_id=None, tablet_ids=(), kiosk_sessions=()) -> None:
    """After commit, tell the live groups their state changed (never inside the transaction)."""
    tablet_ids = [t for t in tablet_ids if t]

    def send():
        if process_id:
            broadcast.mark_dirty(broadcast.PROCESS, process_id)
        if session_id:
            broadcast.mark_dirty(broadcast.SESSION, session_id)
        if tablet_ids or kiosk_sessions:
            broadcast.kiosks_refresh(tablet_ids=tablet_ids, session_ids=kiosk_sessions)

    transaction.on_commit(send)
