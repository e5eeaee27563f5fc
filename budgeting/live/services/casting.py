"""Ballots cast on a tablet (in person) and paper ballots entered by officers.

Both go through budgeting's ``ballot_store``, which validates with the one ballot validator and
stores an anonymous ballot (channel, district envelope, session; no person). What this module
adds for tablets is the one-time token: the token row is locked, the ballot stored and the
token marked used in one transaction, so a token pays for exactly one ballot. A tablet that
sends the same submission again (same token and key, e.g. after losing Wi-Fi) gets the same
success answer; any other use of a spent token is refused.
"""

import functools
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_log
from budgeting.live import caches, credentials, throttles
from budgeting.live.conf import live_setting
from budgeting.live.models import BallotToken, Tablet, VotingSession
from budgeting.live.rules import Action
from budgeting.live.services.common import LiveError, lock_session, push, require
from budgeting.live.services.tokens import finish_token
from budgeting.models import Ballot, Channel, Process
from budgeting.services import CastResult, ballot_store
from budgeting.validation import BallotInvalid, ballot_limits
from citizens.models import User
from citizens.throttle import Throttle
from core import rows

T = BallotToken.State
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

REFUSALS = {
    "unknown": gettext_lazy("This ballot token is not valid on this tablet."),
    "token_used": gettext_lazy("This ballot token was already used."),
    "token_voided": gettext_lazy("This ballot token was voided. Ask the facilitator."),
    "token_expired": gettext_lazy("This ballot token has expired. Ask the facilitator."),
    "session_closed": gettext_lazy("The voting session is closed."),
}


@dataclass(frozen=True)
class KioskCast:
    created: bool  # False: the same submission was already counted (a resend)


def token_throttle() -> Throttle:
    limit, window = live_setting("PB_LIVE_TOKEN_THROTTLE")
    return Throttle("pb_live_token", limit, window)


def _device(tablet: Tablet) -> Tablet:
    device = Tablet.objects.select_related("session__process").filter(pk=tablet.pk).first()
    if device is None or device.is_revoked:
        raise PermissionDenied(_("This tablet is no longer paired. Ask the facilitator."))
    return device


_ballot_cache = caches.timed_cache("ballot context")
BALLOT_CACHE_SECONDS = 30.0


def _ballot_context(process, district: str) -> tuple[dict, object]:
    """The process's projects and the envelope's limits, for the validator.

    Both are frozen while voting is open (budgeting refuses to change voting rules, envelopes
    and feasibility reviews once voting opens), so every cast of a tablet need not read them
    again; they are kept for a few seconds per server process.
    """
    key = (process.pk, district)
    cached = _ballot_cache.get(key, max_age=BALLOT_CACHE_SECONDS)
    if cached is not None:
        return cached
    if process.get_deferred_fields():  # read for a cast (selectors.CAST_FIELDS): all of it
        process = Process.objects.get(pk=process.pk)
    projects = {p.pk: p for p in process.projects.all()}
    try:
        limits = ballot_limits(process, district)
    except BallotInvalid:
        limits = None  # the validator raises the same error, with its message
    _ballot_cache.set(key, (projects, limits))
    return projects, limits


def _loaded(tablet: Tablet) -> bool:
    """Was the tablet read with its session and process (select_related)?"""
    return Tablet.session.is_cached(tablet) and VotingSession.process.is_cached(tablet.session)


TOKEN_FIELDS = tuple(f.attname for f in BallotToken._meta.concrete_fields)


@functools.cache
def _token_sql(locking: bool) -> str:
    """The token's row by its unique hash, every column, FOR UPDATE where the database can.

    Written once: compiling ``select_for_update().get()`` cost as much CPU as the cast's
    inserts (the ORM builds the same statement on every cast)."""
    q = connection.ops.quote_name
    meta = BallotToken._meta
    fields = meta.concrete_fields
    sql = (
        f"SELECT {', '.join(q(f.column) for f in fields)} FROM {q(meta.db_table)} "  # noqa: S608 - quoted names from the model, the value a parameter
        f"WHERE {q(meta.get_field('token_hash').column)} = %s"
    )
    return sql + (" FOR UPDATE" if locking else "")


def _locked_token(token: str) -> BallotToken | None:
    """The token's row, locked (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _token_sql(connection.features.has_select_for_update), [credentials.token_hash(token)]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return rows.instance(BallotToken, TOKEN_FIELDS, row, using=connection.alias)


def _check_key(key: str) -> str:
    if not KEY_PATTERN.match(key or ""):
        raise LiveError(_("The submission key is missing or malformed."), code="bad_key")
    return f"kiosk-{key}"


def _same_ballot_stored(key: str, session: VotingSession, project_ids) -> bool:
    ballot = Ballot.objects.filter(
        idempotency_key=key, session=session.pk, channel=Channel.IN_PERSON
    ).first()
    if ballot is None:
        return False
    stored = sorted(ballot.selections.values_list("project_id", flat=True))
    try:
        return stored == sorted({int(i) for i in project_ids})
    except (TypeError, ValueError):
        return False


def kiosk_cast(*, tablet: Tablet, token: str, project_ids, idempotency_key: str) -> KioskCast:
    """A tablet casts the ballot its token allows: exactly once, whatever the network does.

    ``idempotency_key`` is generated by the tablet before it first sends the ballot and kept
    with it until the server answers, so every resend carries the same key.
    """
    key = _check_key(idempotency_key)
    project_ids = list(project_ids)
    refusal = None
    try:
        with transaction.atomic():
            # The device was read with its session and process by the caller; a revocation that
            # commits meanwhile voids the token, which the row lock below sees.
            device = tablet if _loaded(tablet) else _device(tablet)
            if device.is_revoked:
                raise PermissionDenied(_("This tablet is no longer paired. Ask the facilitator."))
            session = device.session
            row = _locked_token(token)
            now = timezone.now()
            if row is None or row.session_id != session.pk or row.tablet_id != device.pk:
                refusal = "unknown"
            elif row.state == T.USED:
                if _same_ballot_stored(key, session, project_ids):
                    return KioskCast(created=False)
                refusal = "token_used"
            elif row.state != T.ISSUED:
                refusal = f"token_{row.state}"
            elif row.is_expired(now):
                finish_token(row, T.EXPIRED, now=now)
                push(session_id=session.pk, tablet_ids=[device.pk])
                refusal = "token_expired"
            elif session.state not in VotingSession.CASTING_STATES:
                refusal = "session_closed"
            else:
                projects, limits = _ballot_context(session.process, row.district)
                ballot_store(
                    process=session.process,
                    channel=Channel.IN_PERSON,
                    project_ids=project_ids,
                    idempotency_key=key,
                    district=row.district,
                    session_id=session.pk,
                    projects=projects,
                    limits=limits,
                    fresh_key=True,  # the token's row lock: a resend would find it used
                )
                finish_token(row, T.USED, now=now)
                push(session_id=session.pk, tablet_ids=[device.pk])
                return KioskCast(created=True)
    except IntegrityError:
        # The token was locked and unused, so only the ballot's key can clash: it belongs to
        # another ballot. Everything above was rolled back.
        if not Ballot.objects.filter(idempotency_key=key).exists():
            raise
        raise LiveError(
            _("This submission key was already used for another ballot."), code="key_reused"
        ) from None
    if refusal == "unknown":
        # Tokens carry 128 random bits, so guessing is hopeless; failures are still counted
        # (a tablet sending many unknown tokens is told it is throttled). Checking the
        # counter only here keeps the cache off the path of every valid cast.
        throttle = token_throttle()
        idents = (f"tablet:{tablet.pk}",)
        throttle.hit(*idents)
        if throttle.blocked(*idents):
            raise LiveError(_("Too many invalid tokens from this tablet."), code="throttled")
    raise LiveError(str(REFUSALS[refusal]), code=refusal)


def token_claim(*, tablet: Tablet, short_code: str, ip: str = "") -> str:
    """A voter types the short code the facilitator gave them: the token moves to this tablet.

    Returns the ballot token for the kiosk to cast with. Wrong codes make the tablet back
    off (budgeting/live/throttles.py); a tablet that has not failed is never delayed.
    """
    throttles.claim_check(tablet_id=tablet.pk)
    code = credentials.short_code_normalise(short_code)
    claimed = None
    with transaction.atomic():
        device = _device(tablet)
        session = device.session
        if session.state not in VotingSession.CASTING_STATES:
            raise LiveError(str(REFUSALS["session_closed"]), code="session_closed")
        device = Tablet.objects.select_for_update(of=("self",)).get(pk=device.pk)
        if BallotToken.objects.filter(
            tablet=device, state=T.ISSUED, expires_at__gt=timezone.now()
        ).exists():
            raise LiveError(
                _("This tablet already holds a ballot. Finish it or ask the facilitator."),
                code="tablet_busy",
            )
        row = (
            BallotToken.objects.select_for_update(of=("self",))
            .filter(
                session=session,
                state=T.ISSUED,
                tablet__isnull=True,
                short_code_hash=credentials.short_code_hash(session.pk, code),
                expires_at__gt=timezone.now(),
            )
            .first()
            if code
            else None
        )
        if row is not None:
            row.tablet = device
            row.save(update_fields=["tablet"])
            push(session_id=session.pk, tablet_ids=[device.pk])
            claimed = credentials.token_from_nonce(row.nonce)
    if claimed is None:
        throttles.claim_failed(tablet_id=tablet.pk, session_id=tablet.session_id, ip=ip)
        raise LiveError(_("This code is wrong, used or expired."), code="bad_code")
    return claimed


def kiosk_token_void(*, tablet: Tablet, token: str) -> bool:
    """The kiosk reset after inactivity: its token is voided (the facilitator may reissue)."""
    with transaction.atomic():
        device = _device(tablet)
        row = (
            BallotToken.objects.select_for_update(of=("self",))
            .filter(token_hash=credentials.token_hash(token), tablet=device)
            .first()
        )
        if row is None or row.state != T.ISSUED:
            return False
        finish_token(row, T.VOIDED, reason=BallotToken.VoidReason.INACTIVITY)
        audit_log(
            actor=None,
            actor_label=device.label,
            action="pb_live.token_void",
            obj=row,
            before={"state": T.ISSUED},
            after={"state": T.VOIDED, "reason": BallotToken.VoidReason.INACTIVITY},
        )
        push(session_id=device.session_id, tablet_ids=[device.pk])
    return True


def paper_ballot_enter(
    *,
    actor: User,
    session: VotingSession,
    project_ids,
    idempotency_key: str,
    district: str = "",
) -> CastResult:
    """An officer types in a paper ballot collected at the session: same validator, channel
    "paper". ``district`` is the envelope when the process splits its budget."""
    with transaction.atomic():
        locked = lock_session(session)
        require(actor, Action.PAPER, locked)
        process = locked.process
        envelopes = [e.district for e in process.envelopes.all()]
        if envelopes and district not in envelopes:
            raise LiveError(
                _("Choose the district envelope this paper ballot belongs to."),
                code="no_envelope",
            )
        result = ballot_store(
            process=process,
            channel=Channel.PAPER,
            project_ids=project_ids,
            idempotency_key=f"paper-{idempotency_key}",
            district=district if envelopes else "",
            session_id=locked.pk,
        )
        if result.created:
            audit_log(
                actor=actor,
                action="pb_live.paper_ballot",
                obj=locked,
                after={"ballot": result.ballot.pk, "projects": sorted(map(int, project_ids))},
            )
            push(session_id=locked.pk)
    return result
