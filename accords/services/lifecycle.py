"""Life after signing: suspension, termination, expiry, archive, extension and renewal,
and tracking the city's support."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accords.models import Accord, AccordVersion, SupportItem, VersionKind
from accords.models.accords import IN_FORCE_STATES
from accords.rules import Action
from accords.services import _common as c
from accords.services.codesign import create_locked, propose_locked
from accords.services.drafts import VersionDraft
from audit.services import audit_log
from core.fsm import fire
from core.notify import notify


def accord_suspend(*, actor, accord: Accord, reason: str) -> Accord:
    reason = c.clean_text(reason, label=_("Reason"), limit=5000)
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        c.check(actor, Action.SUSPEND, accord)
        # An amendment agreed but not yet signed lapses when the accord stops.
        c.withdraw_agreement(accord, actor=actor)
        c.move(accord, "suspend", actor=actor, reason=reason, suspension_reason=reason)
    notify(
        c.civic_users(accord),
        "accord.suspended",
        lambda: (
            _("The city suspended accord %(ref)s: %(reason)s")
            % {"ref": accord.reference, "reason": reason[:200]}
        ),
        accord.get_absolute_url(),
    )
    return accord


def accord_resume(*, actor, accord: Accord, note: str = "") -> Accord:
    note = c.clean_text(note, label=_("Note"), required=False, limit=5000)
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        c.check(actor, Action.RESUME, accord)
        c.move(accord, "resume", actor=actor, reason=note, suspension_reason="")
    notify(
        c.civic_users(accord),
        "accord.resumed",
        lambda: _("Accord %(ref)s is active again.") % {"ref": accord.reference},
        accord.get_absolute_url(),
    )
    return accord


def accord_terminate(*, actor, accord: Accord, reason: str) -> Accord:
    """Either side ends the accord early, with reasons (published)."""
    reason = c.clean_text(reason, label=_("Reasons"), limit=5000)
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        side = c.check(actor, Action.TERMINATE, accord)
        c.withdraw_agreement(accord, actor=actor)
        c.move(
            accord,
            "terminate",
            actor=actor,
            reason=reason,
            audit_after={"side": side},
            termination_reason=reason,
            terminated_by_side=side,
        )
    notify(
        c.everyone(accord),
        "accord.terminated",
        lambda: (
            _("Accord %(ref)s was terminated: %(reason)s")
            % {"ref": accord.reference, "reason": reason[:200]}
        ),
        accord.get_absolute_url(),
    )
    return accord


def accord_expire(*, accord: Accord, today: dt.date) -> bool:
    """End an accord whose end date has passed (run by `accords.deadlines`). Idempotent."""
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        if not accord.machine.can(accord, "expire"):
            return False
        if accord.end_date is None or accord.end_date >= today:
            return False
        c.withdraw_agreement(accord, actor=None)
        c.move(accord, "expire", actor=None, audit_after={"end_date": accord.end_date})
    notify(
        c.everyone(accord),
        "accord.expired",
        lambda: (
            _("Accord %(ref)s reached its end date and has expired.") % {"ref": accord.reference}
        ),
        accord.get_absolute_url(),
    )
    return True


def accord_notify_expiry(*, accord: Accord) -> bool:
    """Remind both sides that the accord ends soon, once per term."""
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        if accord.expiry_notified_at is not None or accord.state not in IN_FORCE_STATES:
            return False
        accord.expiry_notified_at = timezone.now()
        accord.save(update_fields=["expiry_notified_at"])
        audit_log(
            actor=None,
            action="accord.expiry_notice",
            obj=accord,
            after={"end_date": accord.end_date},
        )
    notify(
        c.everyone(accord),
        "accord.ends_soon",
        lambda: (
            _("Accord %(ref)s ends on %(date)s. You can ask for an extension or a renewal.")
            % {"ref": accord.reference, "date": accord.end_date.isoformat()}
        ),
        accord.workspace_url(),
    )
    return True


def accord_archive(*, actor, accord: Accord) -> Accord:
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        c.check(actor, Action.ARCHIVE, accord)
        c.move(accord, "archive", actor=actor)
    return accord


# Extension and renewal ---------------------------------------------------------------------


def _new_term(*, actor, accord, action, kind, start, end, note) -> AccordVersion:
    with transaction.atomic(durable=True):
        accord = c.lock(accord)
        c.check(actor, action, accord)
        current = accord.current_version
        latest = c.latest_version(accord)
        if (
            latest is not None
            and latest.number > current.number
            and latest.status
            in (
                "draft",
                "agreed",
            )
        ):
            raise ValidationError(
                _(
                    "Version %(n)s is already being drafted or signed: finish it, or reopen "
                    "and change it, before starting another change."
                )
                % {"n": latest.number},
                code="pending",
            )
        draft = VersionDraft.from_version(current, start_date=start, end_date=end)
        version = create_locked(
            actor=actor, accord=accord, draft=draft, change_note=note, kind=kind
        )
        propose_locked(actor=actor, accord=accord, version=version)
    return version


def accord_extend(*, actor, accord: Accord, end_date: dt.date, note: str = "") -> AccordVersion:
    """Propose a later end date (within the track's maximum from the original start): a new
    version, proposed as final by the requesting side, to agree and sign again."""
    current = accord.current_version
    if current is None:
        raise ValidationError(_("Only a signed accord can be extended."))
    if end_date <= current.end_date:
        raise ValidationError(
            {
                "end_date": _("An extension must end after the current end date (%(date)s).")
                % {"date": current.end_date.isoformat()}
            },
            code="not_later",
        )
    note = note or _("Extension to %(date)s.") % {"date": end_date.isoformat()}
    return _new_term(
        actor=actor,
        accord=accord,
        action=Action.EXTEND,
        kind=VersionKind.EXTENSION,
        start=current.start_date,
        end=end_date,
        note=note,
    )


def accord_renew(*, actor, accord: Accord, end_date: dt.date, note: str = "") -> AccordVersion:
    """Propose a new term starting the day after the current one ends, within the maximum."""
    current = accord.current_version
    if current is None:
        raise ValidationError(_("Only a signed accord can be renewed."))
    start = current.end_date + dt.timedelta(days=1)
    note = note or _("Renewal from %(start)s to %(end)s.") % {
        "start": start.isoformat(),
        "end": end_date.isoformat(),
    }
    return _new_term(
        actor=actor,
        accord=accord,
        action=Action.RENEW,
        kind=VersionKind.RENEWAL,
        start=start,
        end=end_date,
        note=note,
    )


# Support tracking --------------------------------------------------------------------------

# The status a party asks for -> the transition of `SupportItem.machine` that reaches it.
SUPPORT_STEPS = {
    SupportItem.Status.DELIVERED: "deliver",
    SupportItem.Status.RETURNED: "return",
}


def support_item_update(
    *, actor, item: SupportItem, status: str, on: dt.date, note: str = ""
) -> SupportItem:
    """Record that a support item was delivered, then (where it applies) returned."""
    note = c.clean_text(note, label=_("Note"), required=False, limit=300)
    with transaction.atomic(durable=True):
        accord = c.lock(item.version.accord)
        c.check(actor, Action.TRACK_SUPPORT, accord)
        item = SupportItem.objects.select_for_update().select_related("version").get(pk=item.pk)
        item.version.accord = accord
        if item.version_id != accord.current_version_id:
            raise ValidationError(_("Only the support of the version in force is tracked."))
        step = SUPPORT_STEPS.get(status)
        if step is None or item.status not in item.machine[step].sources:
            raise ValidationError(
                _("“%(item)s” is “%(status)s”; it cannot become “%(new)s”.")
                % {
                    "item": item.description,
                    "status": item.get_status_display(),
                    "new": SupportItem.Status(status).label
                    if status in SupportItem.Status.values
                    else status,
                },
                code="step",
            )
        if on > c.today():
            raise ValidationError({"on": _("The date cannot be in the future.")})
        if step == "deliver":
            dates = {"delivered_on": on}
        else:
            if item.delivered_on and on < item.delivered_on:
                raise ValidationError({"on": _("It cannot be returned before it was delivered.")})
            dates = {"returned_on": on}
        fire(
            item,
            step,
            actor=actor,
            reason=note,
            audit_action=f"accord.support.{status}",
            audit_after={"item": item.description, "on": on},
            status_note=note,
            **dates,
        )
    return item
