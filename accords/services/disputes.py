"""Disputes: a three-member conciliation committee (one member per side and a third agreed by
both) proposes a settlement within the configured number of days; the outcome is recorded."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accords.models import Accord, AccordConfig, Dispute, DisputeOutcome, DisputeState, Side
from accords.rules import Action
from accords.services import _common as c
from audit.services import audit_log
from core.fsm import fire
from core.notify import notify


def _lock(dispute: Dispute) -> tuple[Accord, Dispute]:
    accord = c.lock(dispute.accord)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    dispute.accord = accord
    return accord, dispute


def dispute_open(*, actor, accord: Accord, description: str) -> Dispute:
    description = c.clean_text(description, label=_("Description"), limit=10_000)
    try:
        with transaction.atomic(durable=True):
            accord = c.lock(accord)
            side = c.check(actor, Action.OPEN_DISPUTE, accord)
            if accord.disputes.exclude(state=DisputeState.CLOSED).exists():
                raise ValidationError(
                    _("A dispute on this accord is already open."), code="already_open"
                )
            days = AccordConfig.get_solo().settlement_days
            dispute = Dispute.objects.create(
                accord=accord,
                opened_by=actor,
                opened_side=side,
                description=description,
                settlement_due=c.today() + dt.timedelta(days=days),
            )
            audit_log(
                actor=actor,
                action="accord.dispute.open",
                obj=accord,
                after={"dispute": dispute.pk, "side": side, "due": dispute.settlement_due},
            )
    except IntegrityError:
        raise ValidationError(
            _("A dispute on this accord is already open."), code="already_open"
        ) from None
    notify(
        c.other_side_users(accord, side),
        "accord.dispute",
        lambda: (
            _(
                "A dispute was opened on accord %(ref)s. Name your member of the conciliation "
                "committee."
            )
            % {"ref": accord.reference}
        ),
        dispute.get_absolute_url(),
    )
    return dispute


def _save_committee(dispute: Dispute, *, actor, fields: list[str]) -> None:
    """Save a committee change; the change that completes it forms the committee."""
    if dispute.machine.can(dispute, "form_committee"):
        fire(dispute, "form_committee", actor=actor, update_fields=fields)
    else:
        dispute.save(update_fields=fields)


def _editable_committee(dispute: Dispute) -> None:
    if dispute.state != DisputeState.OPEN:
        raise ValidationError(_("The committee is already formed."), code="formed")


def dispute_name_member(*, actor, dispute: Dispute, name: str) -> Dispute:
    """Each side names its own member of the committee."""
    name = c.clean_text(name, label=_("Member"), limit=200)
    with transaction.atomic(durable=True):
        accord, dispute = _lock(dispute)
        side = c.check(actor, Action.DISPUTE_COMMITTEE, accord)
        _editable_committee(dispute)
        field = "city_member" if side == Side.CITY else "civic_member"
        setattr(dispute, field, name)
        _save_committee(dispute, actor=actor, fields=[field])
        audit_log(
            actor=actor,
            action="accord.dispute.member",
            obj=accord,
            after={"dispute": dispute.pk, "side": side, "member": name},
        )
    return dispute


def dispute_propose_third_member(*, actor, dispute: Dispute, name: str) -> Dispute:
    name = c.clean_text(name, label=_("Third member"), limit=200)
    with transaction.atomic(durable=True):
        accord, dispute = _lock(dispute)
        side = c.check(actor, Action.DISPUTE_COMMITTEE, accord)
        _editable_committee(dispute)
        dispute.third_member = name
        dispute.third_member_proposed_by = side
        dispute.third_member_agreed = False
        dispute.save(
            update_fields=["third_member", "third_member_proposed_by", "third_member_agreed"]
        )
        audit_log(
            actor=actor,
            action="accord.dispute.third_member.propose",
            obj=accord,
            after={"dispute": dispute.pk, "side": side, "member": name},
        )
    notify(
        c.other_side_users(accord, side),
        "accord.dispute",
        lambda: (
            _(
                "“%(name)s” was proposed as the third member of the committee on accord "
                "%(ref)s. Agree or propose someone else."
            )
            % {"name": name, "ref": accord.reference}
        ),
        dispute.get_absolute_url(),
    )
    return dispute


def dispute_agree_third_member(*, actor, dispute: Dispute) -> Dispute:
    with transaction.atomic(durable=True):
        accord, dispute = _lock(dispute)
        side = c.check(actor, Action.DISPUTE_COMMITTEE, accord)
        _editable_committee(dispute)
        if not dispute.third_member:
            raise ValidationError(_("Nobody has been proposed as the third member yet."))
        if dispute.third_member_proposed_by == side:
            raise ValidationError(
                _("The other side has to agree to the third member your side proposed."),
                code="own_proposal",
            )
        dispute.third_member_agreed = True
        _save_committee(dispute, actor=actor, fields=["third_member_agreed"])
        audit_log(
            actor=actor,
            action="accord.dispute.third_member.agree",
            obj=accord,
            after={"dispute": dispute.pk, "member": dispute.third_member, "state": dispute.state},
        )
    return dispute


def dispute_record_settlement(*, actor, dispute: Dispute, settlement: str) -> Dispute:
    """The city records the settlement the committee proposed."""
    settlement = c.clean_text(settlement, label=_("Settlement"), limit=10_000)
    with transaction.atomic(durable=True):
        accord, dispute = _lock(dispute)
        c.check(actor, Action.DISPUTE_SETTLEMENT, accord)
        fire(
            dispute,
            "propose_settlement",
            actor=actor,
            settlement=settlement,
            settlement_at=timezone.now(),
        )
        audit_log(
            actor=actor,
            action="accord.dispute.settlement",
            obj=accord,
            after={"dispute": dispute.pk},
        )
    notify(
        c.everyone(accord),
        "accord.dispute",
        lambda: (
            _("The conciliation committee proposed a settlement on accord %(ref)s.")
            % {"ref": accord.reference}
        ),
        dispute.get_absolute_url(),
    )
    return dispute


def dispute_close(*, actor, dispute: Dispute, outcome: str, text: str) -> Dispute:
    """Record the outcome: settled or not (the city), or withdrawn (the side that opened it)."""
    text = c.clean_text(text, label=_("Outcome"), limit=10_000)
    if outcome not in DisputeOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    with transaction.atomic(durable=True):
        accord, dispute = _lock(dispute)
        side = c.check(actor, Action.DISPUTE_CLOSE, accord)
        if outcome == DisputeOutcome.WITHDRAWN and side != dispute.opened_side:
            raise PermissionDenied(_("Only the side that opened the dispute can withdraw it."))
        if outcome != DisputeOutcome.WITHDRAWN and side != Side.CITY:
            raise PermissionDenied(_("The city records the outcome of the conciliation."))
        if outcome == DisputeOutcome.SETTLED and dispute.state != DisputeState.SETTLEMENT_PROPOSED:
            raise ValidationError(
                _("A dispute is settled on the committee's proposal: record it first."),
                code="no_settlement",
            )
        if outcome == DisputeOutcome.NOT_SETTLED and dispute.state == DisputeState.OPEN:
            raise ValidationError(_("The committee has not been formed yet."), code="no_committee")
        fire(
            dispute,
            "close",
            actor=actor,
            reason=text,
            outcome=outcome,
            outcome_text=text,
            closed_at=timezone.now(),
            closed_by=actor,
        )
        audit_log(
            actor=actor,
            action="accord.dispute.close",
            obj=accord,
            after={"dispute": dispute.pk, "outcome": outcome},
            reason=text,
        )
    notify(
        c.everyone(accord),
        "accord.dispute",
        lambda: (
            _("The dispute on accord %(ref)s is closed: %(outcome)s.")
            % {"ref": accord.reference, "outcome": DisputeOutcome(outcome).label}
        ),
        dispute.get_absolute_url(),
    )
    return dispute


def dispute_flag_overdue(*, dispute: Dispute, today: dt.date) -> bool:
    """Tell both sides, once, that the committee's time to propose a settlement is over."""
    with transaction.atomic(durable=True):
        accord, dispute = _lock(dispute)
        if (
            dispute.overdue_notified_at is not None
            or dispute.state not in (DisputeState.OPEN, DisputeState.COMMITTEE_FORMED)
            or dispute.settlement_due >= today
        ):
            return False
        dispute.overdue_notified_at = timezone.now()
        dispute.save(update_fields=["overdue_notified_at"])
        audit_log(
            actor=None,
            action="accord.dispute.overdue",
            obj=accord,
            after={"dispute": dispute.pk, "due": dispute.settlement_due},
        )
    notify(
        c.everyone(accord),
        "accord.dispute",
        lambda: (
            _(
                "The time to propose a settlement of the dispute on accord %(ref)s ended on "
                "%(date)s. Record the outcome."
            )
            % {"ref": accord.reference, "date": dispute.settlement_due.isoformat()}
        ),
        dispute.get_absolute_url(),
    )
    return True
