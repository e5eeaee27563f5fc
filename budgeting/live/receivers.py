"""Signals from budgeting that change what live screens show. Both arrive after commit."""

from django.dispatch import receiver

from budgeting.live import broadcast
from budgeting.models import Ballot, Process
from budgeting.signals import ballot_recorded, process_state_changed


@receiver(ballot_recorded, sender=Ballot, dispatch_uid="pb_live.ballot_recorded")
def _ballot_recorded(sender, process_id, **kwargs):
    broadcast.mark_dirty(broadcast.PROCESS, process_id)


@receiver(process_state_changed, sender=Process, dispatch_uid="pb_live.process_state_changed")
def _process_state_changed(sender, process, **kwargs):
    broadcast.mark_dirty(broadcast.PROCESS, process.pk)
    session_ids = list(process.voting_sessions.values_list("pk", flat=True))
    for pk in session_ids:
        broadcast.mark_dirty(broadcast.SESSION, pk)
    broadcast.kiosks_refresh(session_ids=session_ids)
