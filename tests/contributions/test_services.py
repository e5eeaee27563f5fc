"""The contribution log's services and their refusals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accords import services as accord_services
from accords.models import SupportStatus
from audit.models import AuditEntry
from contributions import figures, services
from contributions.models import Contribution, ImmutableEntryError, Signup
from tests.contributions.factories import active_world, confirmed_hours, shift_create, today

pytestmark = pytest.mark.django_db


def test_a_member_logs_hours_and_a_representative_confirms():
    world = active_world()
    entry = services.log_hours(
        actor=world.member, accord=world.accord, on=today(), hours="2.5", description="Weeding"
    )
    assert entry.state == "pending" and entry.person == world.member
    services.confirm(actor=world.rep, entry=entry)
    entry.refresh_from_db()
    assert entry.state == "confirmed" and entry.decided_by == world.rep
    assert AuditEntry.objects.for_object(world.accord).filter(action="contribution.log").exists()
    assert AuditEntry.objects.for_object(entry).filter(action="contribution.confirm").exists()
    assert figures.for_accord(world.accord)["totals"].hours == Decimal("2.5")


def test_nobody_logs_hours_for_someone_else():
    world = active_world()
    with pytest.raises(ValidationError, match="only your own"):
        services.log_hours(
            actor=world.rep,
            accord=world.accord,
            on=today(),
            hours="2",
            description="x",
            person=world.member,
        )


def test_outsiders_cannot_log():
    world = active_world()
    with pytest.raises(PermissionDenied):
        services.log_hours(
            actor=world.outsider, accord=world.accord, on=today(), hours="2", description="x"
        )


def test_nobody_confirms_their_own_entry():
    world = active_world()
    entry = services.log_hours(
        actor=world.rep, accord=world.accord, on=today(), hours="2", description="Mowing"
    )
    with pytest.raises(PermissionDenied, match="their own"):
        services.confirm(actor=world.rep, entry=entry)
    with pytest.raises(PermissionDenied):
        services.confirm(actor=world.member, entry=entry)  # not a representative
    with pytest.raises(PermissionDenied):
        services.confirm(actor=world.officer, entry=entry)  # civic entries: civic side


def test_rejection_needs_a_reason_and_is_final():
    world = active_world()
    entry = services.log_hours(
        actor=world.member, accord=world.accord, on=today(), hours="3", description="x"
    )
    with pytest.raises(ValidationError, match="cannot be empty"):
        services.reject(actor=world.rep, entry=entry, reason="")
    services.reject(actor=world.rep, entry=entry, reason="We did not meet that day.")
    with pytest.raises(ValidationError):
        services.confirm(actor=world.rep, entry=entry)


def test_a_confirmed_entry_cannot_be_edited():
    world = active_world()
    entry = confirmed_hours(world)
    entry = Contribution.objects.get(pk=entry.pk)
    entry.hours = Decimal("20")
    with pytest.raises(ImmutableEntryError):
        entry.save()
    with pytest.raises(ImmutableEntryError):
        entry.save(update_fields=["hours"])
    with pytest.raises(ImmutableEntryError):
        Contribution.objects.filter(pk=entry.pk).update(hours=Decimal("20"))
    assert Contribution.objects.get(pk=entry.pk).hours == Decimal("2.0")


def test_a_correction_reverses_a_confirmed_entry_and_the_sums_net_out():
    world = active_world()
    entry = confirmed_hours(world, "4")
    confirmed_hours(world, "1.5")
    with pytest.raises(PermissionDenied):
        services.reverse(actor=world.member, entry=entry, reason="Typo")
    correction = services.reverse(actor=world.rep, entry=entry, reason="Typo: 0.4 hours")
    assert correction.hours == Decimal("-4.0") and correction.state == "confirmed"
    totals = figures.for_accord(world.accord)["totals"]
    assert totals.hours == Decimal("1.5") and totals.entries == 1
    with pytest.raises(ValidationError, match="already been corrected"):
        services.reverse(actor=world.rep, entry=entry, reason="again")


def test_goods_need_a_quantity_or_a_value():
    world = active_world()
    with pytest.raises(ValidationError, match="quantity"):
        services.log_goods(actor=world.member, accord=world.accord, on=today(), description="x")
    entry = services.log_goods(
        actor=world.member,
        accord=world.accord,
        on=today(),
        description="Compost",
        quantity="3",
        unit="bags",
        value="24",
    )
    services.confirm(actor=world.rep, entry=entry)
    assert figures.for_accord(world.accord)["totals"].goods_value == Decimal("24")


def test_city_support_confirmed_by_an_officer_marks_the_item_delivered():
    world = active_world()
    item = world.accord.current_version.support_items.get(kind="protective_equipment")
    entry = services.log_support(actor=world.rep, item=item, on=today(), value="80")
    with pytest.raises(PermissionDenied):
        services.confirm(actor=world.member, entry=entry)  # the city's side confirms
    services.confirm(actor=world.officer, entry=entry)
    item.refresh_from_db()
    assert item.status == SupportStatus.DELIVERED and item.delivered_on == today()
    assert figures.for_accord(world.accord)["totals"].support_value == Decimal("80")


def test_the_future_and_before_the_accord_are_refused():
    world = active_world()
    with pytest.raises(ValidationError, match="future"):
        services.log_hours(
            actor=world.member,
            accord=world.accord,
            on=today() + dt.timedelta(days=1),
            hours="1",
            description="x",
        )
    for bad in ("0", "-1", "25", "abc"):
        with pytest.raises(ValidationError):
            services.log_hours(
                actor=world.member, accord=world.accord, on=today(), hours=bad, description="x"
            )


def test_new_reports_sum_the_confirmed_entries_and_follow_later_confirmations():
    world = active_world()
    confirmed_hours(world, "2")
    report = accord_services.report_submit(
        actor=world.rep,
        accord=world.accord,
        period_start=world.accord.start_date,
        period_end=today(),
        activities="Gardening",
    )
    assert report.volunteer_hours == Decimal("2.0") and not report.hours_typed
    confirmed_hours(world, "1.5")
    report.refresh_from_db()
    assert report.volunteer_hours == Decimal("3.5")
    typed = accord_services.report_submit(
        actor=world.rep,
        accord=world.accord,
        period_start=world.accord.start_date,
        period_end=today(),
        activities="Old style",
        volunteer_hours="99",
    )
    confirmed_hours(world, "1")
    typed.refresh_from_db()
    assert typed.hours_typed and typed.volunteer_hours == Decimal("99.0")


# Shifts ----------------------------------------------------------------------------------------


def test_sign_up_check_in_and_out_logs_confirmed_hours():
    world = active_world()
    shift = shift_create(world)
    signup = services.sign_up(actor=world.outsider, shift=shift)
    with pytest.raises(ValidationError, match="already signed up"):
        services.sign_up(actor=world.outsider, shift=shift)
    with pytest.raises(ValidationError, match="check out"):
        services.check_out(actor=world.rep, signup=signup)
    with pytest.raises(PermissionDenied):
        services.check_in(actor=world.outsider, signup=signup)
    services.check_in(actor=world.rep, signup=services.signup_by_code(shift, signup.code))
    entry = services.check_out(actor=world.rep, signup=signup)
    assert entry.state == "confirmed" and entry.hours == Decimal("3.5")
    assert entry.person == world.outsider
    assert Signup.objects.get(pk=signup.pk).state == "checked_out"


def test_a_full_shift_refuses_and_a_cancellation_frees_a_place():
    world = active_world()
    shift = shift_create(world, slots=1)
    first = services.sign_up(actor=world.outsider, shift=shift)
    with pytest.raises(ValidationError, match="full"):
        services.sign_up(actor=world.member, shift=shift)
    with pytest.raises(PermissionDenied):
        services.cancel_signup(actor=world.member, signup=first)
    services.cancel_signup(actor=world.outsider, signup=first)
    services.sign_up(actor=world.member, shift=shift)


def test_wrong_codes_and_past_shifts():
    world = active_world()
    shift = shift_create(world)
    with pytest.raises(ValidationError, match="code"):
        services.signup_by_code(shift, "NOPE")
    with pytest.raises(ValidationError, match="past"):
        services.add_shift(
            actor=world.rep,
            activity=shift.activity,
            date=today() - dt.timedelta(days=1),
            start_time=dt.time(9),
            end_time=dt.time(10),
            place="x",
            slots=1,
        )
    with pytest.raises(PermissionDenied):
        services.publish_activity(actor=world.member, accord=world.accord, title="x")


def test_support_delivered_from_the_accord_workspace_is_backed_by_an_entry(
    django_capture_on_commit_callbacks,
):
    world = active_world()
    item = world.accord.current_version.support_items.get(kind="materials_on_loan")
    with django_capture_on_commit_callbacks(execute=True):
        accord_services.support_item_update(
            actor=world.officer, item=item, status="delivered", on=today()
        )
    entry = Contribution.objects.get(support_item=item)
    assert entry.state == "confirmed" and entry.decided_by == world.officer
    assert entry.value == Decimal("120.00")
    # Confirming a logged entry delivers the item; no second entry is added.
    other = world.accord.current_version.support_items.get(kind="protective_equipment")
    logged = services.log_support(actor=world.rep, item=other, on=today())
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm(actor=world.officer, entry=logged)
    assert Contribution.objects.filter(support_item=other).count() == 1
