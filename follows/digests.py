"""Digests: one email per person and period with every notification that waited for it.

`send_due_digests(now)` (the `send_digests` command, from cron or `make run`'s loop) is
idempotent: a person gets at most one daily digest per day and one weekly digest per week (a
unique constraint on (user, frequency, period) decides, also between two runs at once), and
nobody gets an email when nothing happened.

The daily digest is due from `DIGEST_HOUR` (local time) each day, the weekly one from that
hour on `DIGEST_WEEKDAY` (0 = Monday) until the week ends, so a run that was missed is caught
up by the next one.
"""

import datetime as dt
import logging
from itertools import groupby

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.emails import email_render
from core.notify import list_unsubscribe_headers
from core.tasks import background, enqueue_on_commit
from follows import tokens
from follows.kinds import kind_label
from follows.models import Digest, DigestItem, Frequency
from follows.preferences import frequencies_for

logger = logging.getLogger(__name__)


def due_period(frequency: str, now: dt.datetime) -> dt.date | None:
    """The period whose digest is due at `now` (a day, or the Monday of a week), or None."""
    local = timezone.localtime(now)
    if frequency == Frequency.DAILY:
        return local.date() if local.hour >= settings.DIGEST_HOUR else None
    monday = local.date() - dt.timedelta(days=local.weekday())
    start = dt.datetime.combine(
        monday + dt.timedelta(days=settings.DIGEST_WEEKDAY), dt.time(settings.DIGEST_HOUR)
    )
    return monday if local.replace(tzinfo=None) >= start else None


def send_due_digests(now: dt.datetime | None = None) -> dict[str, int]:
    """Send every digest due at `now`; returns how many per frequency."""
    now = now or timezone.now()
    sent = {}
    for frequency in (Frequency.DAILY, Frequency.WEEKLY):
        period = due_period(frequency, now)
        sent[frequency.value] = 0
        if period is None:
            continue
        users = (
            DigestItem.objects.filter(frequency=frequency, digest__isnull=True)
            .values_list("user_id", flat=True)
            .distinct()
        )
        for user_id in sorted(set(users)):
            sent[frequency.value] += digest_build(user_id, frequency, period, now)
    return sent


def digest_build(user_id: int, frequency: str, period: dt.date, now: dt.datetime) -> int:
    """Gather `user_id`'s waiting notifications into this period's digest; 1 if one is sent."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = Digest.objects.create(
                    user_id=user_id, frequency=frequency, period=period, created_at=now
                )
        except IntegrityError:
            return 0  # this period's digest is already out; the rest waits for the next
        pending = DigestItem.objects.select_for_update().filter(
            user_id=user_id, frequency=frequency, digest__isnull=True
        )
        taken = pending.update(digest=digest)
        user = digest.user
        if not taken or not (user.is_active and user.notify_by_email and user.email):
            digest.delete()  # nothing (left) to send: the items go with it
            return 0
        enqueue_on_commit(digest_email_send, digest_id=digest.pk)
    return 1


def digest_items(digest: Digest) -> list:
    """The digest's notifications, minus kinds turned off since they were queued."""
    chosen = frequencies_for([digest.user_id])
    notes = [
        item.notification
        for item in digest.items.select_related("notification").order_by(
            "notification__kind", "notification__created_at", "notification_id"
        )
    ]
    return [n for n in notes if chosen.get((digest.user_id, n.kind)) != Frequency.OFF]


@background
def digest_email_send(*, digest_id: int) -> dict:
    """Email one digest, in the recipient's language."""
    digest = Digest.objects.select_related("user").filter(pk=digest_id).first()
    if digest is None:
        return {"sent": False, "reason": "deleted"}
    user = digest.user
    if not (user.is_active and user.notify_by_email and user.email):
        return {"sent": False, "reason": "opted out"}
    notes = digest_items(digest)
    if not notes:
        return {"sent": False, "reason": "nothing left"}
    unsubscribe = tokens.unsubscribe_url(user, tokens.ALL)
    sections = [
        {"label": kind_label(kind), "notifications": list(group)}
        for kind, group in groupby(notes, key=lambda n: n.kind)
    ]
    message = email_render(
        "digest",
        {
            "user": user,
            "weekly": digest.frequency == Frequency.WEEKLY,
            "count": len(notes),
            "sections": sections,
            "preferences_url": f"{settings.SITE_URL}/me/notifications/preferences/",
            "unsubscribe_url": unsubscribe,
        },
        to=[user.email],
        language=user.preferred_language,
    )
    message.extra_headers.update(list_unsubscribe_headers(unsubscribe))
    message.send(fail_silently=False)
    return {"sent": True, "notifications": len(notes)}
