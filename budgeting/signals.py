"""Signals other parts of the project listen to (the live-voting issue pushes tallies on them).

Both are sent only after the transaction commits, so a listener never sees a ballot that
was rolled back.
"""

from django.dispatch import Signal

# sender=Ballot; kwargs: process_id, ballot_id, channel, district. Once per new ballot.
ballot_recorded = Signal()
# sender=Process; kwargs: process, old_state, new_state.
process_state_changed = Signal()
