"""Pairing tablets with a session, revoking them, and following their connections."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_log
from budgeting.live import broadcast, credentials, throttles
from budgeting.live.conf import live_setting
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.rules import Action
from budgeting.live.services.common import LiveError, lock_session, push, require
from budgeting.live.services.tokens import finish_token
from citizens.models import User

SEEN_EVERY = timedelta(seconds=15)


def tablet_pair(*, code: str, label: str = "", ip: str = "") -> tuple[Tablet, str]:
    """A tablet enters the session's pairing code and gets its device credential.

    The code works once and until it expires. Wrong codes make the address back off
    (budgeting/live/throttles.py): it waits longer after each one, other addresses never do.
    Returns the tablet and the raw credential (only its hash is stored): the caller puts it
    in an HttpOnly cookie and never shows it.
    """
    throttles.pairing_check(ip=ip)
    normalised = credentials.pairing_code_normalise(code)
    paired = None
    if len(normalised) == credentials.PAIRING_LENGTH:
        with transaction.atomic():
            session = (
                VotingSession.objects.select_for_update(of=("self",))
                .filter(pairing_code_hash=credentials.pairing_code_hash(normalised))
                .first()
            )
            if (
                session is not None
                and session.pairing_active()
                and session.state in VotingSession.PAIRING_STATES
            ):
                paired = _pair(session, label, ip)
    if paired is None:
        throttles.pairing_failed(ip=ip)
        raise LiveError(
            _("This pairing code is wrong, used or expired. Ask the facilitator for a new one."),
            code="bad_code",
        )
    return paired


def _pair(session: VotingSession, label: str, ip: str) -> tuple[Tablet, str]:
    taken = set(Tablet.objects.filter(session=session).values_list("label", flat=True))
    label = (label or "").strip()[:50]
    if not label or label in taken:
        base = label or _("Tablet")
        n = len(taken) + 1
        while f"{base} {n}" in taken:
            n += 1
        label = f"{base} {n}"
    credential = credentials.device_credential_new()
    tablet = Tablet.objects.create(
        session=session,
        label=label,
        credential_hash=credentials.device_credential_hash(credential),
    )
    session.pairing_code_hash = ""  # single use
    session.pairing_code_expires_at = None
    session.save(update_fields=["pairing_code_hash", "pairing_code_expires_at"])
    audit_log(
        actor=None,
        actor_label=_("tablet pairing"),
        action="pb_live.tablet_pair",
        obj=tablet,
        after={"session": session.pk, "label": label, "ip": ip},
    )
    push(session_id=session.pk)
    return tablet, credential


def tablet_revoke(*, actor: User, session: VotingSession, tablet: Tablet) -> Tablet:
    """Revoke a tablet's credential; its open token is voided (the facilitator may reissue)."""
    with transaction.atomic():
        locked_session = lock_session(session)
        require(actor, Action.REVOKE, locked_session)
        locked = (
            Tablet.objects.select_for_update(of=("self",))
            .filter(pk=tablet.pk, session=session)
            .first()
        )
        if locked is None:
            raise LiveError(_("This tablet is not paired with this session."), code="bad_tablet")
        if locked.is_revoked:
            return locked
        voided = list(
            BallotToken.objects.select_for_update(of=("self",)).filter(
                tablet=locked, state=BallotToken.State.ISSUED
            )
        )
        for token in voided:
            finish_token(token, BallotToken.State.VOIDED, reason=BallotToken.VoidReason.REVOKED)
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.state = Tablet.State.OFFLINE
        locked.save(update_fields=["revoked_at", "revoked_by", "state"])
        audit_log(
            actor=actor,
            action="pb_live.tablet_revoke",
            obj=locked,
            after={"tokens_voided": [t.pk for t in voided]},
        )
        push(session_id=locked_session.pk)
        transaction.on_commit(lambda: broadcast.kiosk_revoked(locked.pk))
    return locked


def codes_reset(
    *, actor: User, session: VotingSession, tablet: Tablet | None = None, ip: str = ""
) -> None:
    """The facilitator clears a back-off (budgeting/live/throttles.py): an address's wrong
    pairing codes (``ip``), one tablet's wrong short codes, or the session's and all its
    tablets' (neither given)."""
    require(actor, Action.REVOKE, session)
    if ip:
        throttles.pairing_reset(ip=ip)
        after = {"pairing_address": ip}
    else:
        tablets = [tablet.pk] if tablet else list(session.tablets.values_list("pk", flat=True))
        throttles.claim_reset(session_id=session.pk if tablet is None else None, tablet_ids=tablets)
        after = {"tablets": tablets}
    with transaction.atomic():
        audit_log(actor=actor, action="pb_live.codes_reset", obj=session, after=after)
        push(session_id=session.pk)


# Called by the kiosk socket (not audited: connections are not decisions) -------------------


def tablet_connected(*, tablet_id: int) -> None:
    with transaction.atomic():
        tablet = Tablet.objects.select_for_update(of=("self",)).filter(pk=tablet_id).first()
        if tablet is None:
            return
        tablet.connections += 1
        tablet.last_seen = timezone.now()
        tablet.state = Tablet.State.IDLE
        tablet.save(update_fields=["connections", "last_seen", "state"])
        push(session_id=tablet.session_id)


def tablet_disconnected(*, tablet_id: int) -> None:
    with transaction.atomic():
        tablet = Tablet.objects.select_for_update(of=("self",)).filter(pk=tablet_id).first()
        if tablet is None:
            return
        tablet.connections = max(0, tablet.connections - 1)
        if tablet.connections == 0:
            tablet.state = Tablet.State.OFFLINE
        tablet.save(update_fields=["connections", "state"])
        push(session_id=tablet.session_id)


def tablet_seen(*, tablet_id: int) -> None:
    """A kiosk's heartbeat: refresh last_seen at most every few seconds."""
    now = timezone.now()
    tablet = Tablet.objects.filter(pk=tablet_id).only("last_seen", "session_id").first()
    if tablet is None or (tablet.last_seen and now - tablet.last_seen < SEEN_EVERY):
        return
    Tablet.objects.filter(pk=tablet_id).update(last_seen=now)
    offline_after = timedelta(seconds=live_setting("PB_LIVE_TABLET_OFFLINE_AFTER"))
    if tablet.last_seen is None or now - tablet.last_seen >= offline_after:
        with transaction.atomic():
            push(session_id=tablet.session_id)  # it was shown offline: show it again
