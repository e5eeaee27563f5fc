"""The contribution log and volunteer shifts: every change goes through these services.

Each entry-point service runs in its own durable transaction, locks the row it changes, asks
the policy (`contributions.rules`) and writes the audit trail; notifications go out after
commit (`core.notify`).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accords.models import Accord, ActivityReport, SupportItem, SupportStatus
from accords.services._common import city_users, civic_users, clean_text
from audit.services import audit_log
from contributions import rules
from contributions.models import (
    HOLDING,
    Activity,
    Contribution,
    EntryState,
    Kind,
    Shift,
    Signup,
)
from contributions.rules import ENTRIES, ON_ACCORD, SHIFTS, Action
from core.fsm import fire
from core.notify import notify

MAX_HOURS_PER_ENTRY = Decimal("24")
MAX_AMOUNT = Decimal("9999999999")
TENTH = Decimal("0.1")


# Values ----------------------------------------------------------------------------------------


def _decimal(value, *, field: str, label: str, required: bool = True, places=Decimal("0.01")):
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("%(field)s is required.") % {"field": label}})
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("Give %(field)s as a number.") % {"field": label.lower()}}
        ) from None
    if not number.is_finite() or number <= 0 or number > MAX_AMOUNT:
        raise ValidationError({field: _("%(field)s must be a positive number.") % {"field": label}})
    return number.quantize(places, rounding=ROUND_HALF_UP)


def _hours(value) -> Decimal:
    hours = _decimal(value, field="hours", label=_("Hours"), places=TENTH)
    if hours > MAX_HOURS_PER_ENTRY:
        raise ValidationError({"hours": _("One entry covers at most 24 hours: split it by day.")})
    return hours


def _date(accord: Accord, on: dt.date) -> dt.date:
    if not isinstance(on, dt.date):
        raise ValidationError({"on": _("Give a date.")})
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    if accord.start_date and on < accord.start_date:
        raise ValidationError(
            {"on": _("The accord started on %(date)s.") % {"date": accord.start_date.isoformat()}}
        )
    return on


def _lock(accord: Accord) -> Accord:
    return Accord.objects.select_for_update().get(pk=accord.pk)


# Logging ---------------------------------------------------------------------------------------


def _log(actor, accord, action, *, audit_after, **fields) -> Contribution:
    entry = Contribution.objects.create(accord=accord, logged_by=actor, **fields)
    audit_log(
        actor=actor,
        action="contribution.log",
        obj=accord,
        after={"entry": entry.pk, "kind": entry.kind, "on": entry.on, **audit_after},
    )
    return entry


def _member_log(actor, accord, on, *, audit_after, **fields) -> Contribution:
    """A member's own entry (hours or goods), pending until the representative confirms it."""
    with transaction.atomic(durable=True):
        accord = _lock(accord)
        ON_ACCORD.allows(actor, Action.LOG, accord).enforce()
        entry = _log(
            actor,
            accord,
            Action.LOG,
            audit_after=audit_after,
            person=actor,
            on=_date(accord, on),
            **fields,
        )
        _ask_confirmers(entry)
    return entry


def _ask_confirmers(entry: Contribution) -> None:
    accord = entry.accord
    users = city_users(accord) if entry.kind == Kind.SUPPORT else civic_users(accord)
    notify(
        users,
        "contribution.pending",
        lambda: (
            _("A contribution to accord %(ref)s awaits your confirmation.")
            % {"ref": accord.reference}
        ),
        entry.get_absolute_url(),
        exclude=entry.logged_by,
    )


def log_hours(
    *,
    actor,
    accord: Accord,
    on: dt.date,
    hours,
    description: str,
    person=None,
    show_name_publicly: bool = False,
) -> Contribution:
    """A member logs the hours they gave (never someone else's)."""
    if person is not None and person.pk != actor.pk:
        raise ValidationError(
            _("You can log only your own hours; the others log theirs."), code="forbidden"
        )
    description = clean_text(description, label=_("Activity"), limit=300)
    hours = _hours(hours)
    return _member_log(
        actor,
        accord,
        on,
        audit_after={"hours": hours},
        kind=Kind.HOURS,
        description=description,
        hours=hours,
        show_name_publicly=bool(show_name_publicly),
    )


def log_goods(
    *,
    actor,
    accord: Accord,
    on: dt.date,
    description: str,
    quantity=None,
    unit: str = "",
    value=None,
    show_name_publicly: bool = False,
) -> Contribution:
    """A member logs goods or materials they gave (a quantity, an estimated value, or both)."""
    description = clean_text(description, label=_("Description"), limit=300)
    unit = clean_text(unit, label=_("Unit"), required=False, limit=40)
    quantity = _decimal(quantity, field="quantity", label=_("Quantity"), required=False)
    value = _decimal(value, field="value", label=_("Estimated value"), required=False)
    if quantity is None and value is None:
        raise ValidationError({"quantity": _("Give a quantity, an estimated value, or both.")})
    return _member_log(
        actor,
        accord,
        on,
        audit_after={"quantity": quantity, "unit": unit, "value": value},
        kind=Kind.GOODS,
        description=description,
        quantity=quantity,
        unit=unit,
        value=value,
        show_name_publicly=bool(show_name_publicly),
    )


def log_support(
    *,
    actor,
    item: SupportItem,
    on: dt.date,
    description: str = "",
    quantity=None,
    value=None,
) -> Contribution:
    """Either side logs support the city delivered; an officer of the department confirms it,
    and the confirmation marks the support item delivered."""
    description = clean_text(description, label=_("Description"), required=False, limit=300)
    quantity = _decimal(quantity, field="quantity", label=_("Quantity"), required=False)
    value = _decimal(value, field="value", label=_("Estimated value"), required=False)
    with transaction.atomic(durable=True):
        item = SupportItem.objects.select_related("version").get(pk=item.pk)
        accord = _lock(item.version.accord)
        ON_ACCORD.allows(actor, Action.LOG_SUPPORT, accord).enforce()
        if item.version_id != accord.current_version_id:
            raise ValidationError(
                {"support_item": _("Only the support of the version in force is logged.")}
            )
        on = _date(accord, on)
        entry = _log(
            actor,
            accord,
            Action.LOG_SUPPORT,
            audit_after={"item": item.description, "quantity": quantity, "value": value},
            kind=Kind.SUPPORT,
            support_item=item,
            on=on,
            description=description or item.description,
            quantity=quantity if quantity is not None else item.quantity,
            unit=item.unit,
            value=value if value is not None else item.value,
        )
        _ask_confirmers(entry)
    return entry


# Deciding --------------------------------------------------------------------------------------


def _locked_entry(entry: Contribution) -> Contribution:
    accord = _lock(entry.accord)
    entry = Contribution.objects.select_for_update().get(pk=entry.pk)
    entry.accord = accord
    return entry


def sync_reports(accord: Accord, on: dt.date) -> int:
    """Reports whose hours are the log's sum, covering `on`, take the new sum (in the caller's
    transaction, the accord locked)."""
    from contributions.figures import confirmed_hours

    updated = 0
    for report in ActivityReport.objects.filter(
        accord=accord, hours_typed=False, period_start__lte=on, period_end__gte=on
    ):
        hours = confirmed_hours(accord, report.period_start, report.period_end)
        if hours != report.volunteer_hours:
            report.volunteer_hours = hours
            report.save(update_fields=["volunteer_hours"])
            updated += 1
    return updated


def _deliver_support(actor, entry: Contribution) -> None:
    item = SupportItem.objects.select_for_update().get(pk=entry.support_item_id)
    item.version.accord = entry.accord
    if item.status == SupportStatus.GRANTED:
        fire(
            item,
            "deliver",
            actor=actor,
            audit_action="accord.support.delivered",
            audit_after={"item": item.description, "on": entry.on, "entry": entry.pk},
            delivered_on=entry.on,
        )


def confirm(*, actor, entry: Contribution) -> Contribution:
    with transaction.atomic(durable=True):
        entry = _locked_entry(entry)
        fire(entry, "confirm", actor=actor, decided_by=actor, decided_at=timezone.now())
        if entry.kind == Kind.SUPPORT:
            _deliver_support(actor, entry)
        sync_reports(entry.accord, entry.on)
    if entry.person is not None:
        notify(
            [entry.person],
            "contribution.confirmed",
            lambda: (
                _("Your contribution to accord %(ref)s was confirmed. Thank you!")
                % {"ref": entry.accord.reference}
            ),
            entry.get_absolute_url(),
            exclude=actor,
        )
    return entry


def reject(*, actor, entry: Contribution, reason: str) -> Contribution:
    reason = clean_text(reason, label=_("Reason"), limit=2_000)
    with transaction.atomic(durable=True):
        entry = _locked_entry(entry)
        fire(
            entry,
            "reject",
            actor=actor,
            reason=reason,
            decided_by=actor,
            decided_at=timezone.now(),
            rejection_reason=reason,
        )
    if entry.person is not None or entry.logged_by is not None:
        notify(
            [entry.person or entry.logged_by],
            "contribution.rejected",
            lambda: (
                _("Your contribution to accord %(ref)s was not confirmed: %(reason)s")
                % {"ref": entry.accord.reference, "reason": reason}
            ),
            entry.get_absolute_url(),
            exclude=actor,
        )
    return entry


def _negate(value):
    return None if value is None else -value


def reverse(*, actor, entry: Contribution, reason: str) -> Contribution:
    """Correct a confirmed entry: a new, confirmed entry with the opposite amounts. The old one
    stays as it was (and the sums net both out); log a new entry for the right figures."""
    reason = clean_text(reason, label=_("Reason"), limit=300)
    with transaction.atomic(durable=True):
        entry = _locked_entry(entry)
        ENTRIES.allows(actor, Action.REVERSE, entry).enforce()
        now = timezone.now()
        correction = Contribution.objects.create(
            accord=entry.accord,
            kind=entry.kind,
            person=entry.person,
            logged_by=actor,
            on=entry.on,
            description=reason,
            hours=_negate(entry.hours),
            quantity=_negate(entry.quantity),
            unit=entry.unit,
            value=_negate(entry.value),
            support_item=entry.support_item,
            reverses=entry,
            show_name_publicly=entry.show_name_publicly,
            state=EntryState.CONFIRMED,
            decided_by=actor,
            decided_at=now,
        )
        audit_log(
            actor=actor,
            action="contribution.reverse",
            obj=entry.accord,
            after={"entry": correction.pk, "reverses": entry.pk},
            reason=reason,
        )
        sync_reports(entry.accord, entry.on)
    return correction


# Reminders (run_deadlines) -------------------------------------------------------------------


def remind_unconfirmed(*, now: dt.datetime, days: int) -> int:
    """Entries pending for more than `days` days remind the people who must confirm them, once
    per entry per period of `days` days. Returns the number of entries reminded about."""
    limit = now - dt.timedelta(days=days)
    due = (
        Contribution.objects.filter(state=EntryState.PENDING, created_at__lt=limit)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=limit))
        .select_related("accord")
    )
    by_accord: dict[int, list[Contribution]] = {}
    for entry in due:
        by_accord.setdefault(entry.accord_id, []).append(entry)
    reminded = 0
    for entries in by_accord.values():
        accord = entries[0].accord
        with transaction.atomic():
            ids = [
                e.pk
                for e in Contribution.objects.select_for_update(skip_locked=True).filter(
                    pk__in=[e.pk for e in entries], state=EntryState.PENDING
                )
                if e.reminded_at is None or e.reminded_at < limit
            ]
            if not ids:
                continue
            Contribution.objects.filter(pk__in=ids).update(reminded_at=now)
            civic = [e for e in entries if e.pk in ids and e.kind != Kind.SUPPORT]
            city = [e for e in entries if e.pk in ids and e.kind == Kind.SUPPORT]
            url = _review_url(accord)
            for group, users in (
                (civic, civic_users(accord)),
                (city, city_users(accord)),
            ):
                if not group:
                    continue
                n = len(group)
                notify(
                    users,
                    "contribution.reminder",
                    lambda n=n, accord=accord: (
                        _(
                            "%(n)s contribution entries to accord %(ref)s have been waiting for "
                            "confirmation for more than %(days)s days."
                        )
                        % {"n": n, "ref": accord.reference, "days": days}
                    ),
                    url,
                )
            audit_log(
                actor=None,
                action="contribution.remind",
                obj=accord,
                after={"entries": ids},
            )
            reminded += len(ids)
    return reminded


def _review_url(accord: Accord) -> str:
    from django.urls import reverse as url_reverse

    return url_reverse("contributions:accord-log", args=[accord.pk])


# Activities and shifts -----------------------------------------------------------------------


def publish_activity(*, actor, accord: Accord, title: str, description: str = "") -> Activity:
    title = clean_text(title, label=_("Title"), limit=200)
    description = clean_text(description, label=_("Description"), required=False, limit=5_000)
    with transaction.atomic(durable=True):
        accord = _lock(accord)
        ON_ACCORD.allows(actor, Action.PUBLISH_SHIFTS, accord).enforce()
        activity = Activity.objects.create(
            accord=accord, title=title, description=description, created_by=actor
        )
        audit_log(
            actor=actor,
            action="contribution.activity_publish",
            obj=accord,
            after={"activity": activity.pk, "title": title},
        )
    return activity


def add_shift(
    *,
    actor,
    activity: Activity,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    place: str,
    slots: int,
    bring: str = "",
) -> Shift:
    place = clean_text(place, label=_("Place"), limit=300)
    bring = clean_text(bring, label=_("What to bring"), required=False, limit=500)
    if date < timezone.localdate():
        raise ValidationError({"date": _("A new shift cannot be in the past.")})
    if end_time <= start_time:
        raise ValidationError({"end_time": _("The shift must end after it starts.")})
    try:
        slots = int(slots)
    except (TypeError, ValueError):
        raise ValidationError({"slots": _("Give the number of places.")}) from None
    if not 1 <= slots <= 1000:
        raise ValidationError({"slots": _("A shift has between 1 and 1,000 places.")})
    with transaction.atomic(durable=True):
        accord = _lock(activity.accord)
        ON_ACCORD.allows(actor, Action.PUBLISH_SHIFTS, accord).enforce()
        shift = Shift.objects.create(
            activity=activity,
            date=date,
            start_time=start_time,
            end_time=end_time,
            place=place,
            slots=slots,
            bring=bring,
        )
        audit_log(
            actor=actor,
            action="contribution.shift_add",
            obj=accord,
            after={"shift": shift.pk, "date": date, "slots": slots},
        )
    return shift


def places_left(shift: Shift) -> int:
    taken = getattr(shift, "taken", None)
    if taken is None:
        taken = shift.signups.filter(state__in=sorted(HOLDING)).count()
    return max(shift.slots - taken, 0)


def sign_up(*, actor, shift: Shift, show_name_publicly: bool = False) -> Signup:
    """A resident takes a place on a shift. The shift's row is locked while the places are
    counted, so two people cannot take the last place at once."""
    with transaction.atomic(durable=True):
        shift = (
            Shift.objects.select_for_update().select_related("activity__accord").get(pk=shift.pk)
        )
        SHIFTS.allows(actor, Action.SIGN_UP, shift).enforce()
        counts = shift.signups.aggregate(
            taken=Count("pk", filter=Q(state__in=sorted(HOLDING))),
            mine=Count("pk", filter=Q(state__in=sorted(HOLDING), user=actor)),
        )
        if counts["mine"]:
            raise ValidationError(_("You are already signed up for this shift."), code="conflict")
        if counts["taken"] >= shift.slots:
            raise ValidationError(_("This shift is full."), code="conflict")
        signup = Signup.objects.create(
            shift=shift, user=actor, show_name_publicly=bool(show_name_publicly)
        )
        audit_log(
            actor=actor,
            action="contribution.signup",
            obj=shift.activity.accord,
            after={"shift": shift.pk, "signup": signup.pk},
        )
    return signup


def _locked_signup(signup: Signup) -> Signup:
    shift = (
        Shift.objects.select_for_update().select_related("activity__accord").get(pk=signup.shift_id)
    )
    signup = Signup.objects.select_for_update().get(pk=signup.pk)
    signup.shift = shift
    return signup


def cancel_signup(*, actor, signup: Signup) -> Signup:
    with transaction.atomic(durable=True):
        signup = _locked_signup(signup)
        fire(signup, "cancel", actor=actor, audit_action="contribution.signup_cancel")
    return signup


def signup_by_code(shift: Shift, code: str) -> Signup:
    code = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    signup = shift.signups.filter(code=code).first()
    if signup is None:
        raise ValidationError({"code": _("No sign-up for this shift has that code.")})
    return signup


def check_in(*, actor, signup: Signup) -> Signup:
    with transaction.atomic(durable=True):
        signup = _locked_signup(signup)
        fire(
            signup,
            "check_in",
            actor=actor,
            audit_action="contribution.check_in",
            checked_in_at=timezone.now(),
        )
    return signup


def shift_hours(shift: Shift) -> Decimal:
    start = dt.datetime.combine(shift.date, shift.start_time)
    end = dt.datetime.combine(shift.date, shift.end_time)
    return (Decimal((end - start).total_seconds()) / 3600).quantize(TENTH, ROUND_HALF_UP)


def check_out(*, actor, signup: Signup, hours=None) -> Contribution:
    """Check the volunteer out; their hours (the shift's length unless given) become a
    confirmed entry of the accord's log. Refused before check-in."""
    with transaction.atomic(durable=True):
        signup = _locked_signup(signup)
        shift = signup.shift
        hours = _hours(hours) if hours not in (None, "") else shift_hours(shift)
        accord = Accord.objects.select_for_update().get(pk=shift.activity.accord_id)
        fire(
            signup,
            "check_out",
            actor=actor,
            audit_action="contribution.check_out",
            audit_after={"hours": hours},
            checked_out_at=timezone.now(),
        )
        now = timezone.now()
        entry = Contribution.objects.create(
            accord=accord,
            kind=Kind.HOURS,
            person=signup.user,
            logged_by=actor,
            on=min(shift.date, timezone.localdate()),
            description=shift.activity.title[:300],
            hours=hours,
            signup=signup,
            show_name_publicly=signup.show_name_publicly,
            state=EntryState.CONFIRMED,
            decided_by=actor,
            decided_at=now,
        )
        audit_log(
            actor=actor,
            action="contribution.log",
            obj=accord,
            after={"entry": entry.pk, "kind": entry.kind, "on": entry.on, "hours": hours},
        )
        sync_reports(accord, entry.on)
    return entry


def remind_shifts(*, now: dt.datetime) -> int:
    """The day before a shift, its volunteers get a reminder (once: `reminded_at`)."""
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    reminded = 0
    for shift in Shift.objects.filter(date=tomorrow, reminded_at__isnull=True).select_related(
        "activity__accord"
    ):
        with transaction.atomic():
            locked = Shift.objects.select_for_update(skip_locked=True).filter(
                pk=shift.pk, reminded_at__isnull=True
            )
            if not locked.exists():
                continue
            locked.update(reminded_at=now)
            users = [
                s.user
                for s in shift.signups.filter(state=Signup.State.SIGNED_UP).select_related("user")
            ]
            notify(
                users,
                "contribution.shift_reminder",
                lambda shift=shift: (
                    _("Tomorrow at %(time)s: “%(title)s” at %(place)s. Thank you for coming!")
                    % {
                        "time": shift.start_time.strftime("%H:%M"),
                        "title": shift.activity.title,
                        "place": shift.place,
                    }
                ),
                shift.get_absolute_url(),
            )
            audit_log(
                actor=None,
                action="contribution.shift_remind",
                obj=shift.activity.accord,
                after={"shift": shift.pk, "volunteers": len(users)},
            )
            reminded += 1
    return reminded


__all__ = ["rules"]
