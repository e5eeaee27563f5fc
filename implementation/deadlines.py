"""Time-driven steps of implementation tracking, run by `manage.py run_deadlines`.

`run(now)` is idempotent: each overdue milestone of an open implementation is flagged once and
its department's officers are reminded once (`Milestone.overdue_notified_at`).
"""

import datetime as dt

from django.utils import timezone

from implementation.models import ImplementationState, Milestone
from implementation.services import milestone_flag_overdue


def run(now: dt.datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    due = Milestone.objects.filter(
        done_at__isnull=True,
        overdue_notified_at__isnull=True,
        due_date__lt=today,
        implementation__state__in=[ImplementationState.PLANNED, ImplementationState.IN_PROGRESS],
    )
    flagged = sum(milestone_flag_overdue(milestone=m, today=today) for m in due)
    return {"milestones_overdue": flagged}
