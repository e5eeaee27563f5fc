"""Groups of claim states, for other apps that filter claims by state.

The transitions themselves live on the model (`Claim.machine`, fired by `core.fsm.fire`);
who may fire them is `proposals.rules.ClaimPolicy`.
"""

from proposals.models.claims import (
    CLAIMING_STATES,
    DECIDED_STATES,
    EDITABLE_STATES,
    FINAL_STATES,
    OPEN_STATES,
    PUBLIC_STATES,
    REVIEWABLE_STATES,
)

__all__ = [
    "CLAIMING_STATES",
    "DECIDED_STATES",
    "EDITABLE_STATES",
    "FINAL_STATES",
    "OPEN_STATES",
    "PUBLIC_STATES",
    "REVIEWABLE_STATES",
]
