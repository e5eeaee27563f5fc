"""Time-driven steps of accords, run by `manage.py run_deadlines` (cron, every minute).

`run(now)` is idempotent: expire accords whose end date has passed, remind the parties before
an accord ends, and flag disputes whose settlement deadline has passed.
"""

import datetime as dt

from django.utils import timezone

from accords.models import Accord, AccordConfig, AccordState, Dispute, DisputeState
from accords.services import accord_expire, accord_notify_expiry, dispute_flag_overdue

IN_FORCE = [AccordState.ACTIVE, AccordState.SUSPENDED]


def run(now: dt.datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    config = AccordConfig.get_solo()
    expired = sum(
        accord_expire(accord=accord, today=today)
        for accord in Accord.objects.filter(state__in=IN_FORCE, end_date__lt=today)
    )
    reminded = 0
    if config.expiry_notice_days:
        horizon = today + dt.timedelta(days=config.expiry_notice_days)
        due = Accord.objects.filter(
            state__in=IN_FORCE,
            end_date__gte=today,
            end_date__lte=horizon,
            expiry_notified_at__isnull=True,
        )
        reminded = sum(accord_notify_expiry(accord=accord) for accord in due)
    overdue = sum(
        dispute_flag_overdue(dispute=dispute, today=today)
        for dispute in Dispute.objects.filter(
            state__in=[DisputeState.OPEN, DisputeState.COMMITTEE_FORMED],
            settlement_due__lt=today,
            overdue_notified_at__isnull=True,
        ).select_related("accord")
    )
    return {"expired": expired, "expiry_reminders": reminded, "disputes_overdue": overdue}
