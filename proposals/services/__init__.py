"""Every use case of the claims app, one function each (keyword-only).

Views, the API, admin actions, management commands and the demo all call these, so each
entry point checks the same rules, writes the same audit entries and sends the same
notifications.
"""

from proposals.services.claims import (
    attachment_add,
    attachment_delete,
    claim_create,
    claim_delete_draft,
    claim_submit,
    claim_update,
    claim_withdraw,
    clean_claim_data,
    coauthor_answer,
    coauthor_invite,
)
from proposals.services.consultation import (
    objection_add,
    support_add,
    support_remove,
    support_set_notify,
)
from proposals.services.decisions import claim_decide, claim_refer_to_executive
from proposals.services.resources import (
    resource_create,
    resource_create_from_claim,
    resource_update,
)
from proposals.services.reviews import review_answer, review_cancel, review_request
from proposals.services.screening import (
    claim_consultation_close,
    claim_provide_documents,
    claim_request_documents,
    claim_screen,
    claim_screening_start,
)

__all__ = [
    "attachment_add",
    "attachment_delete",
    "claim_consultation_close",
    "claim_create",
    "claim_decide",
    "claim_delete_draft",
    "claim_provide_documents",
    "claim_refer_to_executive",
    "claim_request_documents",
    "claim_screen",
    "claim_screening_start",
    "claim_submit",
    "claim_update",
    "claim_withdraw",
    "clean_claim_data",
    "coauthor_answer",
    "coauthor_invite",
    "objection_add",
    "resource_create",
    "resource_create_from_claim",
    "resource_update",
    "review_answer",
    "review_cancel",
    "review_request",
    "support_add",
    "support_remove",
    "support_set_notify",
]
