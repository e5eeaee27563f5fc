"""Every delivery of the city's support is backed by a confirmed entry of the accord's log.

Confirming a support entry marks its item delivered (`services.confirm`). When an officer
marks an item delivered another way (the accord workspace's support tracking), this receiver
logs the confirmed entry that backs it, in the officer's name.
"""

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from accords.models import SupportItem
from audit.services import audit_log
from contributions.models import Contribution, EntryState, Kind
from core.fsm import transitioned


@receiver(transitioned, sender=SupportItem, dispatch_uid="contributions.back_delivery")
def back_delivery(sender, instance, name, actor=None, **kwargs):
    if name != "deliver":
        return
    with transaction.atomic():
        item = SupportItem.objects.select_related("version__accord").get(pk=instance.pk)
        backed = Contribution.objects.filter(
            support_item=item, state=EntryState.CONFIRMED, reverses__isnull=True
        ).exists()
        if backed:
            return
        accord = item.version.accord
        entry = Contribution.objects.create(
            accord=accord,
            kind=Kind.SUPPORT,
            support_item=item,
            logged_by=actor,
            on=item.delivered_on or timezone.localdate(),
            description=item.description,
            quantity=item.quantity,
            unit=item.unit,
            value=item.value,
            state=EntryState.CONFIRMED,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        audit_log(
            actor=actor,
            action="contribution.log",
            obj=accord,
            after={"entry": entry.pk, "kind": entry.kind, "on": entry.on, "item": item.pk},
        )
