"""Activity reports by the civic actors, acknowledged by the city."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accords.models import Accord, ActivityReport, ReportPhoto
from accords.rules import Action
from accords.services import _common as c
from accords.uploads import check_photo, max_photos_per_report
from audit.services import audit_log
from core.fsm import fire
from core.notify import notify

MAX_HOURS = Decimal("1000000")
MAX_PARTICIPANTS = 10_000_000


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError):
        raise ValidationError({"volunteer_hours": _("Give the hours as a number.")}) from None
    if not hours.is_finite() or hours < 0:
        raise ValidationError({"volunteer_hours": _("Volunteer hours cannot be negative.")})
    if hours > MAX_HOURS:
        raise ValidationError({"volunteer_hours": _("That is too many hours for one report.")})
    return hours.quantize(Decimal("0.1"))


def _logged_hours(accord: Accord, start: dt.date, end: dt.date) -> Decimal:
    """The confirmed volunteer hours of the period (the contributions app's log, if installed)."""
    if not apps.is_installed("contributions"):
        return Decimal(0)
    from contributions.figures import confirmed_hours

    return confirmed_hours(accord, start, end).quantize(Decimal("0.1"))


def report_submit(
    *,
    actor,
    accord: Accord,
    period_start: dt.date,
    period_end: dt.date,
    activities: str,
    volunteer_hours=None,
    participants: int = 0,
    resources_used: str = "",
    photos=(),
) -> ActivityReport:
    activities = c.clean_text(activities, label=_("Activities"), limit=10_000)
    resources_used = c.clean_text(
        resources_used, label=_("Resources used"), required=False, limit=5_000
    )
    # No number given: the hours are the sum of the period's confirmed contribution entries.
    typed = volunteer_hours is not None
    hours = _hours(volunteer_hours) if typed else Decimal(0)
    try:
        participants = int(participants or 0)
    except (TypeError, ValueError):
        raise ValidationError({"participants": _("Give the number of participants.")}) from None
    if participants < 0 or participants > MAX_PARTICIPANTS:
        raise ValidationError(
            {"participants": _("The number of participants must be between 0 and 10 million.")}
        )
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period must end after it starts.")})
    if period_end > c.today():
        raise ValidationError({"period_end": _("A report covers time already past.")})
    photos = list(photos)
    if len(photos) > max_photos_per_report():
        raise ValidationError(
            {"photos": _("At most %(n)s photos per report.") % {"n": max_photos_per_report()}}
        )
    checked = [check_photo(p) for p in photos]
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        c.check(actor, Action.REPORT, accord)
        if accord.start_date and period_start < accord.start_date:
            raise ValidationError(
                {
                    "period_start": _(
                        "The accord started on %(date)s; the period cannot start before it."
                    )
                    % {"date": accord.start_date.isoformat()}
                }
            )
        if not typed:
            hours = _logged_hours(accord, period_start, period_end)
        report = ActivityReport.objects.create(
            accord=accord,
            period_start=period_start,
            period_end=period_end,
            activities=activities,
            volunteer_hours=hours,
            hours_typed=typed,
            participants=participants,
            resources_used=resources_used,
            submitted_by=actor,
        )
        for photo in checked:
            ReportPhoto.objects.create(
                report=report,
                file=photo.content,
                original_name=photo.original_name,
                content_type=photo.content_type,
                size=photo.content.size,
                width=photo.width,
                height=photo.height,
            )
        audit_log(
            actor=actor,
            action="accord.report.submit",
            obj=accord,
            after={
                "report": report.pk,
                "period": [period_start, period_end],
                "hours": hours,
                "participants": participants,
                "photos": len(checked),
            },
        )
    notify(
        c.city_users(accord),
        "accord.report",
        lambda: (
            _("A new activity report on accord %(ref)s is waiting for acknowledgement.")
            % {"ref": accord.reference}
        ),
        report.get_absolute_url(),
    )
    return report


def report_acknowledge(*, actor, report: ActivityReport, note: str = "") -> ActivityReport:
    note = c.clean_text(note, label=_("Note"), required=False, limit=5_000)
    with transaction.atomic(durable=True):
        accord = c.lock(report.accord)
        c.check(actor, Action.ACKNOWLEDGE, accord)
        report = ActivityReport.objects.select_for_update().get(pk=report.pk)
        report.accord = accord
        fire(
            report,
            "acknowledge",
            actor=actor,
            reason=note,
            acknowledged_by=actor,
            acknowledged_at=timezone.now(),
            city_note=note,
        )
        audit_log(
            actor=actor,
            action="accord.report.acknowledge",
            obj=accord,
            after={"report": report.pk},
            reason=note,
        )
    notify(
        c.civic_users(accord),
        "accord.report_acknowledged",
        lambda: (
            _("The city acknowledged your activity report on accord %(ref)s.")
            % {"ref": accord.reference}
        ),
        report.get_absolute_url(),
    )
    return report
