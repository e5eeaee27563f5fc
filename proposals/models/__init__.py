from proposals.models.claims import (
    Attachment,
    Claim,
    ClaimCoauthor,
    ClaimState,
    PrivateMediaStorage,
    private_storage,
)
from proposals.models.consultation import Support
from proposals.models.procedure import ChecklistItem, ProcedureConfig, Track, TrackProcedure
from proposals.models.resources import (
    UrbanResource,
    register_under_accord_condition,
    unregister_under_accord_condition,
)
from proposals.models.reviews import ReviewRequest

__all__ = [
    "Attachment",
    "ChecklistItem",
    "Claim",
    "ClaimCoauthor",
    "ClaimState",
    "PrivateMediaStorage",
    "ProcedureConfig",
    "ReviewRequest",
    "Support",
    "Track",
    "TrackProcedure",
    "UrbanResource",
    "private_storage",
    "register_under_accord_condition",
    "unregister_under_accord_condition",
]
