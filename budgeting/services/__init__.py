"""Use cases of participatory budgeting. Views, the API, admin actions and commands call these."""

from budgeting.services.process import (
    lots_draw,
    process_advance_by_schedule,
    process_save,
    process_transition,
)
from budgeting.services.projects import (
    project_review,
    project_save,
    project_submit,
    project_withdraw,
)
from budgeting.services.results import result_compute, result_publish
from budgeting.services.voting import (
    AlreadyVoted,
    CastResult,
    ballot_cast,
    ballot_store,
    online_ballot_get,
    participation_get,
    participation_register,
)

__all__ = [
    "AlreadyVoted",
    "CastResult",
    "ballot_cast",
    "ballot_store",
    "lots_draw",
    "online_ballot_get",
    "participation_get",
    "participation_register",
    "process_advance_by_schedule",
    "process_save",
    "process_transition",
    "project_review",
    "project_save",
    "project_submit",
    "project_withdraw",
    "result_compute",
    "result_publish",
]
