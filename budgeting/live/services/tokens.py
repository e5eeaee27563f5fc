"""Ballot tokens: issued at check-in, used once by a tablet, or voided, or expired."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from budgeting.live import credentials
from budgeting.live.conf import live_setting
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.services.common import LiveError
from core import rows

T = BallotToken.State


@dataclass(frozen=True)
class Issued:
    """A new token: on a tablet, or behind a short code the facilitator reads to the voter."""

    token: BallotToken
    tablet: Tablet | None
    short_code: str | None


def finish_token(token: BallotToken, state: str, *, reason: str = "", now=None) -> None:
    """Move an issued token to used, voided or expired (the caller holds its row lock)."""
    name = BallotToken.BY_TARGET.get(state)
    if name is None or not BallotToken.machine.can(token, name):
        raise ValueError(f"token {token.pk}: {token.state} -> {state}")
    token.state = state
    token.finished_at = now or timezone.now()
    token.void_reason = reason if state == T.VOIDED else ""
    rows.update(token, ["state", "finished_at", "void_reason"])  # on every cast: SQL written once


def finish_issued(tokens: QuerySet, state: str, *, reason: str = "", now=None) -> int:
    """Move every issued token of ``tokens`` to ``state`` in one UPDATE; returns how many.

    The UPDATE locks its rows; a token a concurrent cast has just used no longer matches
    ``state = issued`` when PostgreSQL re-reads it, and is left alone.
    """
    transition = BallotToken.machine[BallotToken.BY_TARGET[state]]
    return tokens.filter(state__in=sorted(transition.sources)).update(
        state=state,
        finished_at=now or timezone.now(),
        void_reason=reason if state == T.VOIDED else "",
    )


def expire_lapsed(tokens: QuerySet, *, now=None) -> int:
    """Mark issued tokens past their expiry as expired; returns how many."""
    now = now or timezone.now()
    return finish_issued(tokens.filter(expires_at__lte=now), T.EXPIRED, now=now)


def idle_tablet(session: VotingSession, tablet: Tablet) -> Tablet:
    """Lock a tablet of this session that holds no live token (inside transaction.atomic)."""
    locked = (
        Tablet.objects.select_for_update(of=("self",)).filter(pk=tablet.pk, session=session).first()
    )
    if locked is None or locked.is_revoked:
        raise LiveError(_("This tablet is not paired with this session."), code="bad_tablet")
    now = timezone.now()
    expire_lapsed(BallotToken.objects.filter(tablet=locked), now=now)
    if BallotToken.objects.filter(tablet=locked, state=T.ISSUED).exists():
        raise LiveError(
            _("%(tablet)s is in use by another voter. Choose another tablet or give a code.")
            % {"tablet": locked.label},
            code="tablet_busy",
        )
    return locked


def issue_token(
    *,
    session: VotingSession,
    actor,
    district: str,
    tablet: Tablet | None = None,
    replaces: BallotToken | None = None,
) -> Issued:
    """Create a token (inside the caller's transaction, session row locked)."""
    now = timezone.now()
    nonce = credentials.token_nonce_new()
    short_code, short_hash = None, ""
    if tablet is None:
        live = BallotToken.objects.filter(session=session, state=T.ISSUED)
        for _attempt in range(20):
            short_code = credentials.short_code_new()
            short_hash = credentials.short_code_hash(session.pk, short_code)
            if not live.filter(short_code_hash=short_hash).exists():
                break
    try:
        with transaction.atomic():
            token = BallotToken.objects.create(
                session=session,
                nonce=nonce,
                token_hash=credentials.token_hash(credentials.token_from_nonce(nonce)),
                short_code_hash=short_hash,
                district=district,
                tablet=tablet,
                replaces=replaces,
                issued_by=actor,
                created_at=now,
                expires_at=now + timedelta(seconds=live_setting("PB_LIVE_TOKEN_TTL")),
            )
    except IntegrityError:
        raise LiveError(
            _("The tablet was given another voter's ballot a moment ago. Choose another."),
            code="tablet_busy",
        ) from None
    return Issued(token=token, tablet=tablet, short_code=short_code)
