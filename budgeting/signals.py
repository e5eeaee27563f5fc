"""Signals other parts of the project listen to (the live-voting issue pushes tallies on them).

Both are sent only after the transaction commits, so a listener never sees a ballot that
was rolled back.
"""

from django.dispatch import Signal

# sender=Ballot; kwargs: process_id, ballot_id, channel, district. Once per new ballot.
ballot_recorded = Signal()
# sender=Process; kwargs: process, old_state, new_state.
process_state_changed = Signal()


def relay_process_transitions(sender, instance, before, after, **kwargs):
    """Every process move fired through `core.fsm.fire` is announced as process_state_changed."""
    process_state_changed.send(sender=sender, process=instance, old_state=before, new_state=after)
