"""Helpers shared by the accords services: locking, permission checks, state moves, text
hygiene, people to notify."""

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accords.models import Accord, AccordParty, AccordVersion, Side, VersionStatus
from accords.rules import ACCORDS, Action, civic_user_ids, side_of
from citizens.models import User
from citizens.rules import PERM_SIGN_FOR_CITY, officers_of, users_with_permission
from core.fsm import fire


def lock(accord: Accord) -> Accord:
    """The accord's row, locked until the transaction ends (callers are inside atomic())."""
    return Accord.objects.select_for_update().get(pk=accord.pk)


def check(user, action: Action, accord: Accord) -> str:
    """Enforce the rule; return the side the user acts for."""
    ACCORDS.allows(user, action, accord).enforce()
    return side_of(user, accord) or Side.CITY


def move(accord: Accord, name: str, *, actor, reason: str = "", **changes) -> Accord:
    """Fire one of the accord's transitions (see `Accord.machine`), stamping the time."""
    return fire(
        accord, name, actor=actor, reason=reason, state_changed_at=timezone.now(), **changes
    )


def withdraw_agreement(accord: Accord, *, actor) -> AccordVersion | None:
    """The agreed version (if any) loses its agreement: reopening, cancelling, or an accord
    that stops while an amendment waits for signatures."""
    version = agreed_version(accord)
    if version is not None:
        version.accord = accord
        fire(version, "withdraw", actor=actor)
    return version


def clean_text(value: str, *, label: str, required: bool = True, limit: int = 20_000) -> str:
    """Normalise what people type so the stored (and fingerprinted) text is predictable:
    Unicode NFC, "\\n" line ends, no trailing spaces, no control characters."""
    value = unicodedata.normalize("NFC", str(value or ""))
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    value = "\n".join(line.rstrip() for line in value.split("\n")).strip("\n").strip()
    if required and not value:
        raise ValidationError(_("%(field)s cannot be empty.") % {"field": label}, code="empty")
    if len(value) > limit:
        raise ValidationError(
            _("%(field)s is too long: at most %(limit)s characters (it has %(n)s).")
            % {"field": label, "limit": f"{limit:,}", "n": f"{len(value):,}"},
            code="too_long",
        )
    return value


def public_name(user) -> str:
    """How a person appears in the public text: never their email address."""
    if user is None:
        return _("Deleted user")
    return user.display_name or _("Resident no. %(id)s") % {"id": user.pk}


def today() -> dt.date:
    return timezone.localdate()


def track_rules(accord: Accord):
    """The track's limits from the city's procedure configuration (claims app)."""
    from proposals.models import ProcedureConfig

    return ProcedureConfig.get_solo().track(accord.track)


def end_limit(accord: Accord, start: dt.date) -> dt.date:
    return track_rules(accord).accord_end_limit(start)


def check_end_date(accord: Accord, start: dt.date, end: dt.date) -> None:
    if end <= start:
        raise ValidationError(
            {"end_date": _("The end date must come after the start date.")}, code="dates"
        )
    rules = track_rules(accord)
    limit = rules.accord_end_limit(start)
    if end > limit:
        raise ValidationError(
            {
                "end_date": _(
                    "The end date is beyond the maximum duration of the %(track)s track: at "
                    "most %(months)s months, so an accord starting on %(start)s ends by "
                    "%(limit)s."
                )
                % {
                    "track": str(rules).lower(),
                    "months": rules.max_accord_months,
                    "start": start.isoformat(),
                    "limit": limit.isoformat(),
                }
            },
            code="too_long",
        )


def latest_version(accord: Accord) -> AccordVersion | None:
    return accord.versions.order_by("-number").first()


def open_version(accord: Accord) -> AccordVersion | None:
    """The version being worked on: the latest one, if it is newer than the version in force
    and not withdrawn-and-left (a withdrawn latest version is still the base to edit)."""
    latest = latest_version(accord)
    if latest is None or latest.is_signed:
        return None
    return latest


def agreed_version(accord: Accord) -> AccordVersion | None:
    return accord.versions.filter(status=VersionStatus.AGREED).order_by("-number").first()


# People --------------------------------------------------------------------------------------


def city_users(accord: Accord) -> QuerySet:
    return officers_of(accord.department)


def civic_users(accord: Accord) -> QuerySet:
    return User.objects.filter(pk__in=civic_user_ids(accord), is_active=True)


def signatories(accord: Accord) -> QuerySet:
    """Officers with signing authority: those of the accord's department, or all of them."""
    everyone = users_with_permission(PERM_SIGN_FOR_CITY).filter(is_superuser=False)
    own = everyone.filter(department=accord.department_id)
    return own if own.exists() else everyone


def other_side_users(accord: Accord, side: str) -> QuerySet:
    return civic_users(accord) if side == Side.CITY else city_users(accord)


def everyone(accord: Accord) -> list[User]:
    return [*city_users(accord), *civic_users(accord)]


def city_party(accord: Accord) -> AccordParty:
    return accord.parties.get(side=Side.CITY)
