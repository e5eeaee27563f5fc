"""Use cases of the accords app, one function each (see the modules for details)."""

from accords.services.codesign import (
    accord_cancel,
    accord_reopen,
    version_agree,
    version_comment,
    version_create,
    version_propose_final,
)
from accords.services.disputes import (
    dispute_agree_third_member,
    dispute_close,
    dispute_flag_overdue,
    dispute_name_member,
    dispute_open,
    dispute_propose_third_member,
    dispute_record_settlement,
)
from accords.services.drafts import SupportItemDraft, VersionDraft
from accords.services.lifecycle import (
    accord_archive,
    accord_expire,
    accord_extend,
    accord_notify_expiry,
    accord_renew,
    accord_resume,
    accord_suspend,
    accord_terminate,
    support_item_update,
)
from accords.services.reports import report_acknowledge, report_submit
from accords.services.signing import accord_sign, reauthenticate, signable_parties
from accords.services.start import accord_start

__all__ = [
    "SupportItemDraft",
    "VersionDraft",
    "accord_archive",
    "accord_cancel",
    "accord_expire",
    "accord_extend",
    "accord_notify_expiry",
    "accord_renew",
    "accord_reopen",
    "accord_resume",
    "accord_sign",
    "accord_start",
    "accord_suspend",
    "accord_terminate",
    "dispute_agree_third_member",
    "dispute_close",
    "dispute_flag_overdue",
    "dispute_name_member",
    "dispute_open",
    "dispute_propose_third_member",
    "dispute_record_settlement",
    "reauthenticate",
    "report_acknowledge",
    "report_submit",
    "signable_parties",
    "support_item_update",
    "version_agree",
    "version_comment",
    "version_create",
    "version_propose_final",
]
