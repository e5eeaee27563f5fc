"""Life after signing: suspension, termination, expiry, archive, extension, renewal, support."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accords import deadlines, services
from accords.models import AccordConfig, AccordState, VersionKind, VersionStatus
from audit.models import AuditEntry
from citizens.models import Notification
from proposals.models import ProcedureConfig
from tests.accords.factories import World, today
from tests.citizens.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_suspend_and_resume_by_the_city_with_reasons(django_capture_on_commit_callbacks):
    world = World()
    world.active()
    with pytest.raises(PermissionDenied):
        services.accord_suspend(actor=world.rep, accord=world.accord, reason="No")
    with pytest.raises(ValidationError, match="cannot be empty"):
        services.accord_suspend(actor=world.officer, accord=world.accord, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.accord_suspend(
            actor=world.officer, accord=world.accord, reason="Works on the water pipes"
        )
    accord = world.refresh()
    assert accord.state == AccordState.SUSPENDED
    assert accord.suspension_reason == "Works on the water pipes"
    assert Notification.objects.filter(user=world.rep, verb="accord.suspended").exists()
    with pytest.raises(ValidationError, match="Suspended"):
        services.accord_suspend(actor=world.officer, accord=world.accord, reason="Again")
    services.accord_resume(actor=world.officer, accord=world.accord)
    assert world.refresh().state == AccordState.ACTIVE


def test_either_side_terminates_with_reasons_and_nothing_more_happens_after():
    world = World()
    world.active()
    services.accord_terminate(actor=world.rep, accord=world.accord, reason="We are moving away")
    accord = world.refresh()
    assert accord.state == AccordState.TERMINATED
    assert accord.terminated_by_side == "civic"
    assert AuditEntry.objects.for_object(accord).get(action="accord.terminate").reason
    with pytest.raises(ValidationError):
        services.report_submit(
            actor=world.rep,
            accord=accord,
            period_start=today(),
            period_end=today(),
            activities="After the end",
        )
    with pytest.raises(ValidationError):
        world.edit(actor=world.rep, objectives="After the end")
    with pytest.raises(ValidationError):
        services.accord_suspend(actor=world.officer, accord=accord, reason="x")
    services.accord_archive(actor=world.officer, accord=accord)
    assert world.refresh().state == AccordState.ARCHIVED


def test_termination_withdraws_an_amendment_waiting_for_signatures():
    world = World()
    world.active()
    world.edit(objectives="Amendment")
    world.agree()
    services.accord_terminate(actor=world.officer, accord=world.accord, reason="Breach")
    assert world.accord.versions.get(number=3).status == VersionStatus.WITHDRAWN


def test_accords_expire_after_their_end_date_via_deadlines(django_capture_on_commit_callbacks):
    world = World(months=6)
    world.active()
    end = world.accord.end_date
    assert deadlines.run(timezone.now())["expired"] == 0
    later = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(3)))
    with django_capture_on_commit_callbacks(execute=True):
        summary = deadlines.run(later)
    assert summary["expired"] == 1
    assert world.refresh().state == AccordState.EXPIRED
    assert Notification.objects.filter(user=world.rep, verb="accord.expired").exists()
    assert deadlines.run(later)["expired"] == 0  # idempotent


def test_the_parties_are_reminded_once_before_the_end():
    world = World(months=6)
    world.active()
    config = AccordConfig.get_solo()
    near = world.accord.end_date - dt.timedelta(days=config.expiry_notice_days - 1)
    moment = timezone.make_aware(dt.datetime.combine(near, dt.time(9)))
    assert deadlines.run(moment)["expiry_reminders"] == 1
    assert deadlines.run(moment)["expiry_reminders"] == 0


def test_extension_within_the_maximum_is_agreed_and_signed():
    world = World(months=12)
    world.active()
    limit = ProcedureConfig.get_solo().track("ordinary").accord_end_limit(world.accord.start_date)
    with pytest.raises(ValidationError, match="maximum duration"):
        services.accord_extend(
            actor=world.rep, accord=world.accord, end_date=limit + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError, match="after the current end date"):
        services.accord_extend(actor=world.rep, accord=world.accord, end_date=today())
    version = services.accord_extend(actor=world.rep, accord=world.accord, end_date=limit)
    assert version.kind == VersionKind.EXTENSION and version.approvals.get().side == "civic"
    with pytest.raises(ValidationError, match="already being drafted"):
        services.accord_renew(actor=world.rep, accord=world.accord, end_date=limit)
    services.version_agree(actor=world.officer, version=version)
    world.sign_all()
    assert world.refresh().end_date == limit


def test_renewal_starts_a_new_term_after_the_current_one():
    world = World(months=12)
    world.active()
    old_end = world.accord.end_date
    start = old_end + dt.timedelta(days=1)
    limit = ProcedureConfig.get_solo().track("ordinary").accord_end_limit(start)
    version = services.accord_renew(actor=world.officer, accord=world.accord, end_date=limit)
    assert version.kind == VersionKind.RENEWAL and version.start_date == start
    services.version_agree(actor=world.rep, version=version)
    world.sign_all()
    accord = world.refresh()
    assert (accord.start_date, accord.end_date) == (start, limit)


def test_support_items_go_granted_delivered_returned_where_it_applies():
    world = World()
    world.active()
    items = {i.kind: i for i in world.accord.current_version.support_items.all()}
    rakes, gloves = items["materials_on_loan"], items["protective_equipment"]
    with pytest.raises(PermissionDenied):
        services.support_item_update(actor=world.rep, item=rakes, status="delivered", on=today())
    with pytest.raises(ValidationError, match="cannot become"):
        services.support_item_update(actor=world.officer, item=rakes, status="returned", on=today())
    with pytest.raises(ValidationError, match="future"):
        services.support_item_update(
            actor=world.officer, item=rakes, status="delivered", on=today() + dt.timedelta(days=1)
        )
    services.support_item_update(
        actor=world.officer, item=rakes, status="delivered", on=today(), note="Six rakes"
    )
    services.support_item_update(actor=world.officer, item=rakes, status="returned", on=today())
    rakes.refresh_from_db()
    assert rakes.status == "returned" and rakes.returned_on == today()
    services.support_item_update(actor=world.officer, item=gloves, status="delivered", on=today())
    with pytest.raises(ValidationError, match="not something that is returned|cannot become"):
        services.support_item_update(
            actor=world.officer, item=gloves, status="returned", on=today()
        )


def test_signing_after_termination_is_refused():
    world = World()
    world.active()
    world.edit(objectives="Amendment")
    world.agree()
    services.accord_terminate(actor=world.officer, accord=world.accord, reason="Breach")
    with pytest.raises(ValidationError):
        services.accord_sign(actor=world.rep, accord=world.accord, credential=PASSWORD)


def test_every_state_change_is_audited_with_the_state_before_and_after():
    world = World()
    world.active()
    version = world.accord.current_version
    services.accord_suspend(actor=world.officer, accord=world.accord, reason="Pruning")
    services.accord_resume(actor=world.officer, accord=world.accord)
    services.accord_terminate(actor=world.rep, accord=world.accord, reason="Moving away")
    trail = {
        e.action: (e.before, e.after)
        for e in AuditEntry.objects.for_object(world.accord).filter(
            action__in=["accord.activate", "accord.suspend", "accord.resume", "accord.terminate"]
        )
    }
    assert trail["accord.activate"][0] == {"state": "awaiting_signatures"}
    assert trail["accord.activate"][1]["state"] == "active"
    assert trail["accord.suspend"] == ({"state": "active"}, {"state": "suspended"})
    assert trail["accord.resume"] == ({"state": "suspended"}, {"state": "active"})
    assert trail["accord.terminate"] == (
        {"state": "active"},
        {"state": "terminated", "side": "civic"},
    )
    signed = AuditEntry.objects.for_object(version).get(action="accord.version.sign")
    assert (signed.before, signed.after) == ({"status": "agreed"}, {"status": "signed"})


def test_a_service_is_its_own_transaction_and_refuses_to_run_inside_another():
    """Entry points are durable: a caller cannot fold them into a larger transaction whose
    rollback would undo what the service already announced."""
    from django.db import transaction

    world = World()
    world.active()
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        services.accord_suspend(actor=world.officer, accord=world.accord, reason="Pruning")
    assert world.refresh().state == AccordState.ACTIVE
