"""Notification preferences: per kind of event, immediately / daily / weekly / off."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.notify import KINDS
from follows.models import Frequency, NotificationPreference


def frequencies_of(user) -> dict[str, str]:
    """Every kind's frequency for `user` (immediately when never set)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "frequency"))
    return {kind: chosen.get(kind, Frequency.IMMEDIATE) for kind in KINDS}


def frequencies_for(user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """The chosen (user id, kind) → frequency for several people, in one query."""
    return {
        (user_id, kind): frequency
        for user_id, kind, frequency in NotificationPreference.objects.filter(
            user_id__in=list(user_ids)
        ).values_list("user_id", "kind", "frequency")
    }


def preference_set(*, user, kind: str, frequency: str) -> None:
    if kind not in KINDS:
        raise ValidationError(_("Unknown kind of event."), code="invalid")
    if frequency not in Frequency.values:
        raise ValidationError(_("Choose how often to receive these emails."), code="invalid")
    with transaction.atomic():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"frequency": frequency}
        )


def preferences_save(*, user, frequencies: dict[str, str]) -> None:
    """Save every kind's frequency at once (the preferences form)."""
    with transaction.atomic(durable=True):
        for kind, frequency in frequencies.items():
            preference_set(user=user, kind=kind, frequency=frequency)
