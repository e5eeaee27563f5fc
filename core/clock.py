"""Running services at another moment: `with travel_to(moment): services.x(...)`.

The demo data (and tests) need objects whose history lies in the past: an accord signed
months ago, a budgeting process counted last year. Writing those dates by hand after the
fact gives histories that contradict their audit trails; running the real services under a
frozen clock gives the history a real run would have produced. Everything that reads the
time (`timezone.now()`, `localdate()`, model defaults, the audit entry's `at`) sees `moment`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine
from django.utils import timezone


@contextmanager
def travel_to(moment: dt.datetime | dt.date, *, tick: bool = False) -> Iterator[dt.datetime]:
    """Freeze the clock at `moment` (a date means its local noon) while the block runs.

    `tick=False` keeps the clock still, so several calls in the block share one timestamp;
    call `travel_to` again (or use `tick=True`) to let time pass between steps. Refuses the
    future: what the services did "then" must be over by now.
    """
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time(12))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    if moment > timezone.now():
        raise ValueError(f"travel_to({moment.isoformat()}) is in the future")
    with time_machine.travel(moment, tick=tick):
        yield moment
