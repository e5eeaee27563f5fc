"""Signing an agreed version, and bringing it into force when every party has signed."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accords import fingerprint as fp
from accords.models import (
    Accord,
    AccordParty,
    AccordVersion,
    Side,
    Signature,
    SupportItem,
)
from accords.rules import ACCORDS, Action, civic_user_ids
from accords.services import _common as c
from audit.services import audit_log
from citizens.throttle import Throttle
from core.fsm import fire
from core.notify import notify
from core.policy import THROTTLED


def signing_throttle() -> Throttle:
    return Throttle(
        "accord-sign",
        getattr(settings, "ACCORDS_SIGN_ATTEMPTS", 5),
        getattr(settings, "ACCORDS_SIGN_WINDOW", 900),
    )


def uses_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def reauthenticate(*, user, credential: str, ip: str = "") -> str:
    """Check the signer is who they claim to be, again: the authenticator code when the
    account has two-factor authentication on, the password otherwise. Returns the method."""
    throttle = signing_throttle()
    idents = (f"user:{user.pk}", f"ip:{ip}" if ip else "")
    if throttle.blocked(*idents):
        raise ValidationError(
            _("Too many failed attempts. Please try again in a few minutes."), code=THROTTLED
        )
    credential = (credential or "").strip()
    if uses_totp(user):
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP

        method = Signature.Method.TOTP
        authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        ok = bool(credential) and TOTP(authenticator).validate_code(credential)
        message = _("The authenticator code is not valid.")
    else:
        method = Signature.Method.PASSWORD
        ok = bool(credential) and user.check_password(credential)
        message = _("The password is not correct.")
    if not ok:
        throttle.hit(*idents)
        raise ValidationError(message, code="reauth")
    throttle.reset(f"user:{user.pk}")
    return method


def signable_parties(user, accord: Accord) -> list[AccordParty]:
    """The parties this user may sign for, that have not signed the agreed version yet."""
    version = c.agreed_version(accord)
    if version is None or not user.is_authenticated:
        return []
    signed = set(version.signatures.values_list("party_id", flat=True))
    out = []
    parties = accord.parties.select_related("group", "user", "department").prefetch_related(
        "group__memberships__user"
    )
    for party in parties:
        if party.pk in signed:
            continue
        if (party.side == Side.CITY and ACCORDS.allows(user, Action.SIGN_CITY, accord)) or (
            party.side == Side.CIVIC and user.pk in party.signer_ids()
        ):
            out.append(party)
    return out


def accord_sign(
    *,
    actor,
    accord: Accord,
    credential: str,
    party: AccordParty | None = None,
    version: AccordVersion | None = None,
    ip: str = "",
) -> Signature:
    """Sign the agreed version for one party (the city, or a civic party).

    The signer re-enters their password (or an authenticator code). The signature records
    who, when, the version and its fingerprint. The last signature brings the version into
    force; the accord row is locked so two last signatures arriving together are counted
    one after the other.
    """
    if not actor.is_authenticated:
        raise PermissionDenied(_("Please log in first."))
    method = reauthenticate(user=actor, credential=credential, ip=ip)
    try:
        with transaction.atomic(durable=True):
            accord = c.lock(accord)
            agreed = c.agreed_version(accord)
            if version is not None and (agreed is None or version.pk != agreed.pk):
                raise ValidationError(
                    _(
                        "Version %(n)s has not been agreed by both sides; only the agreed "
                        "version can be signed."
                    )
                    % {"n": version.number},
                    code="not_agreed",
                )
            if agreed is None:
                raise ValidationError(
                    _("There is no agreed version to sign yet: both sides must agree first."),
                    code="not_agreed",
                )
            party = _party_to_sign(actor, accord, agreed, party)
            if fp.fingerprint(agreed) != agreed.fingerprint:
                raise ValidationError(
                    _(
                        "The stored text of version %(n)s no longer matches its fingerprint. "
                        "It cannot be signed; the city has been alerted."
                    )
                    % {"n": agreed.number},
                    code="tampered",
                )
            signature = Signature.objects.create(
                version=agreed,
                party=party,
                signer=actor,
                signer_name=c.public_name(actor),
                fingerprint=agreed.fingerprint,
                method=method,
            )
            audit_log(
                actor=actor,
                action="accord.sign",
                obj=accord,
                after={
                    "version": agreed.number,
                    "party": party.name,
                    "signer": c.public_name(actor),
                    "side": party.side,
                    "fingerprint": agreed.fingerprint,
                    "method": method,
                },
            )
            signed = set(agreed.signatures.values_list("party_id", flat=True))
            required = set(accord.parties.values_list("pk", flat=True))
            if signed >= required:
                _bring_into_force(accord, agreed)
    except IntegrityError:
        raise ValidationError(
            _("This party has already signed this version."), code="already"
        ) from None
    return signature


def _party_to_sign(actor, accord, version, party) -> AccordParty:
    signed = set(version.signatures.values_list("party_id", flat=True))
    if party is None:
        options = signable_parties(actor, accord)
        if not options:
            # Find the clearest refusal: wrong person or wrong moment, else already signed.
            action = Action.SIGN_CIVIC if actor.pk in civic_user_ids(accord) else Action.SIGN_CITY
            ACCORDS.allows(actor, action, accord).enforce()
            raise ValidationError(_("You have already signed this version."), code="already")
        party = options[0]
    if party.accord_id != accord.pk:
        raise PermissionDenied(_("This party is not part of the accord."))
    if party.side == Side.CITY:
        ACCORDS.allows(actor, Action.SIGN_CITY, accord).enforce()
    else:
        ACCORDS.allows(actor, Action.SIGN_CIVIC, accord).enforce()
        if actor.pk not in party.signer_ids():
            raise PermissionDenied(
                _("Only %(party)s or its representatives can sign for it.") % {"party": party}
            )
    if party.pk in signed:
        raise ValidationError(_("This party has already signed this version."), code="already")
    return party


def _bring_into_force(accord: Accord, version: AccordVersion) -> None:
    """The last signature: the version comes into force (the system fires the transitions)."""
    now = timezone.now()
    previous = accord.current_version
    version.accord = accord
    fire(version, "sign", actor=None, signed_at=now)
    if previous is not None:
        fire(previous, "replace", actor=None)
        _carry_support_tracking(previous, version)
    term = {
        "current_version": version,
        "start_date": version.start_date,
        "end_date": version.end_date,
        "title": version.title,
        "expiry_notified_at": None,
    }
    in_force = {
        "version": version.number,
        "kind": version.kind,
        "fingerprint": version.fingerprint,
        "start_date": version.start_date,
        "end_date": version.end_date,
    }
    if accord.machine.can(accord, "activate"):  # the first signed text
        c.move(
            accord,
            "activate",
            actor=None,
            audit_after=in_force,
            signed_at=accord.signed_at or now,
            **term,
        )
    else:  # an amendment, extension or renewal: the accord stays as it is
        for field, value in term.items():
            setattr(accord, field, value)
        accord.save(update_fields=[*term, "updated_at"])
        audit_log(
            actor=None,
            action="accord.amendment.in_force",
            obj=accord,
            before={"version": previous.number} if previous else None,
            after=in_force,
        )
    url = accord.get_absolute_url()
    notify(
        c.everyone(accord),
        "accord.in_force",
        lambda: (
            _("Everyone signed: version %(n)s of accord %(ref)s is now in force.")
            % {"n": version.number, "ref": accord.reference}
        ),
        url,
    )


def _carry_support_tracking(previous: AccordVersion, version: AccordVersion) -> None:
    """An amendment keeps the delivery status of the support items it carries over.

    A copy of the tracking already recorded (and audited) on the previous version's items, not
    a new step of `SupportItem.machine`: nothing was delivered or returned now."""
    old = {item.key: item for item in previous.support_items.all()}
    for item in version.support_items.all():
        before = old.get(item.key)
        if before is None:
            continue
        if before.status == SupportItem.Status.RETURNED and not item.returnable:
            continue
        item.status = before.status
        item.delivered_on = before.delivered_on
        item.returned_on = before.returned_on
        item.status_note = before.status_note
        item.save(update_fields=["status", "delivered_on", "returned_on", "status_note"])


def pending_signers(accord: Accord) -> list[AccordParty]:
    version = c.agreed_version(accord)
    if version is None:
        return []
    signed = set(version.signatures.values_list("party_id", flat=True))
    return [p for p in accord.parties.all() if p.pk not in signed]
