"""Use cases of live voting. Views, consumers, admin actions and commands call these."""

from budgeting.live.services.casting import (
    KioskCast,
    kiosk_cast,
    kiosk_token_void,
    paper_ballot_enter,
    token_claim,
)
from budgeting.live.services.checkin import (
    CheckinResult,
    checkin_create,
    token_reissue,
    token_void,
    tokens_expire,
)
from budgeting.live.services.common import LiveError
from budgeting.live.services.sessions import (
    pairing_code_issue,
    session_close,
    session_create,
    session_open,
    session_pause,
    session_reconcile,
    session_resume,
    session_update,
)
from budgeting.live.services.tablets import (
    codes_reset,
    tablet_connected,
    tablet_disconnected,
    tablet_pair,
    tablet_revoke,
    tablet_seen,
)
from budgeting.live.services.tokens import Issued

__all__ = [
    "CheckinResult",
    "Issued",
    "KioskCast",
    "LiveError",
    "checkin_create",
    "codes_reset",
    "kiosk_cast",
    "kiosk_token_void",
    "paper_ballot_enter",
    "pairing_code_issue",
    "session_close",
    "session_create",
    "session_open",
    "session_pause",
    "session_reconcile",
    "session_resume",
    "session_update",
    "tablet_connected",
    "tablet_disconnected",
    "tablet_pair",
    "tablet_revoke",
    "tablet_seen",
    "token_claim",
    "token_reissue",
    "token_void",
    "tokens_expire",
]
