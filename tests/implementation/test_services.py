"""Services of implementation tracking and their refusals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.labels import audit_label
from audit.models import AuditEntry
from budgeting.models import Process
from budgeting.signals import process_state_changed
from implementation import services
from implementation.models import Implementation, Milestone, MilestonePhoto
from tests.accords.factories import World
from tests.citizens.factories import department_create, officer_create, resident_create
from tests.implementation.factories import (
    implementation_create,
    png,
    published_process,
    winner_create,
)

pytestmark = pytest.mark.django_db
S = Implementation.State
TODAY = dt.date.today


def codes(exc_info) -> set:
    return {e.code for e in exc_info.value.error_list}


@pytest.fixture
def officer():
    return officer_create()


@pytest.fixture
def impl(officer):
    return implementation_create(officer=officer, cost=40_000, department=officer.department)


def test_a_funded_project_is_tracked_once_with_its_cost(officer):
    process = published_process()
    project = winner_create(process, cost=25_000)
    impl = services.implementation_open_project(actor=officer, project=project)
    assert (impl.state, impl.progress, impl.budgeted_cost) == (S.PLANNED, 0, Decimal("25000"))
    assert services.implementation_open_project(actor=officer, project=project) == impl
    assert Implementation.objects.count() == 1


def test_publishing_results_opens_the_tracking_of_every_winner():
    process = published_process()
    won, lost = winner_create(process), winner_create(process, selected=False)
    process_state_changed.send(
        sender=Process, process=process, old_state="counting", new_state="results"
    )
    assert Implementation.objects.filter(project=won).exists()
    assert not Implementation.objects.filter(project=lost).exists()


def test_an_unfunded_project_is_not_tracked(officer):
    process = published_process()
    lost = winner_create(process, selected=False)
    with pytest.raises(ValidationError) as exc:
        services.implementation_open_project(actor=officer, project=lost)
    assert codes(exc) == {"unfunded"}
    with pytest.raises(PermissionDenied):
        services.implementation_open_project(
            actor=resident_create(), project=winner_create(process)
        )


def test_milestones_on_an_unfunded_project_are_refused(officer):
    process = published_process()
    lost = winner_create(process, selected=False)
    impl = Implementation.objects.create(project=lost)  # past the service, as a stale row
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(actor=officer, implementation=impl, title="Works", due_date=TODAY())
    assert codes(exc) == {"unfunded"}
    assert not Milestone.objects.exists()


@pytest.mark.parametrize("progress", [-1, 101, 1000])
def test_progress_out_of_range_is_refused(impl, officer, progress):
    with pytest.raises(ValidationError) as exc:
        services.implementation_update(actor=officer, implementation=impl, progress=progress)
    assert codes(exc) == {"range"}
    with pytest.raises(IntegrityError), transaction.atomic():
        Implementation.objects.filter(pk=impl.pk).update(progress=101)


def test_exactly_one_subject_in_the_database(impl):
    with pytest.raises(IntegrityError), transaction.atomic():
        Implementation.objects.create()
    accord_world = World()
    accord = accord_world.active()
    with pytest.raises(IntegrityError), transaction.atomic():
        Implementation.objects.filter(pk=impl.pk).update(accord=accord)


def test_the_life_of_an_implementation(impl, officer):
    services.implementation_update(actor=officer, implementation=impl, progress=30, notes="Go")
    services.implementation_transition(actor=officer, implementation=impl, name="start")
    impl.refresh_from_db()
    assert (impl.state, impl.progress) == (S.IN_PROGRESS, 30)
    services.implementation_transition(actor=officer, implementation=impl, name="complete")
    impl.refresh_from_db()
    assert (impl.state, impl.progress) == (S.DONE, 100)
    services.implementation_transition(actor=officer, implementation=impl, name="reopen")
    impl.refresh_from_db()
    assert impl.state == S.IN_PROGRESS
    actions = list(
        AuditEntry.objects.filter(object_id=str(impl.pk), content_type__model="implementation")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "implementation.start",
        "implementation.complete",
        "implementation.reopen",
    ]
    for action in set(actions):
        assert audit_label(action) != action, action


def test_cancelling_needs_reasons_and_a_cancelled_one_never_moves(impl, officer):
    with pytest.raises(ValidationError) as exc:
        services.implementation_transition(actor=officer, implementation=impl, name="cancel")
    assert codes(exc) == {"reason"}
    services.implementation_transition(
        actor=officer, implementation=impl, name="cancel", reason="No permit."
    )
    impl.refresh_from_db()
    assert (impl.state, impl.state_reason) == (S.CANCELLED, "No permit.")
    for name in ("start", "complete", "reopen", "cancel"):
        with pytest.raises(ValidationError):
            services.implementation_transition(
                actor=officer, implementation=impl, name=name, reason="again"
            )
    with pytest.raises(ValidationError):
        services.implementation_update(actor=officer, implementation=impl, progress=50)
    with pytest.raises(ValidationError):
        services.milestone_add(actor=officer, implementation=impl, title="x", due_date=TODAY())
    with pytest.raises(ValidationError):
        services.expense_add(
            actor=officer, implementation=impl, amount=Decimal("1"), spent_on=TODAY()
        )
    impl.refresh_from_db()
    assert impl.state == S.CANCELLED


def test_only_the_responsible_department_updates(impl):
    other = officer_create()
    with pytest.raises(PermissionDenied):
        services.implementation_update(actor=other, implementation=impl, progress=10)
    with pytest.raises(PermissionDenied):
        services.implementation_transition(actor=other, implementation=impl, name="start")
    with pytest.raises(PermissionDenied):
        services.implementation_update(actor=resident_create(), implementation=impl, progress=1)
    # any officer names the department; then its officers are the responsible ones
    services.implementation_assign(actor=other, implementation=impl, department=other.department)
    services.implementation_update(actor=other, implementation=impl, progress=10)


def test_expenses_add_up_and_bad_amounts_are_refused(impl, officer):
    services.expense_add(
        actor=officer, implementation=impl, amount=Decimal("1200.50"), spent_on=TODAY()
    )
    services.expense_add(
        actor=officer, implementation=impl, amount=Decimal("799.50"), spent_on=TODAY()
    )
    impl.refresh_from_db()
    assert impl.spent == Decimal("2000.00")
    assert impl.remaining == Decimal("38000.00")
    for amount, day in [
        (Decimal("0"), TODAY()),
        (Decimal("-5"), TODAY()),
        (Decimal("1.005"), TODAY()),
        (Decimal("5"), TODAY() + dt.timedelta(days=2)),
    ]:
        with pytest.raises(ValidationError):
            services.expense_add(actor=officer, implementation=impl, amount=amount, spent_on=day)
    impl.refresh_from_db()
    assert impl.spent == Decimal("2000.00")


def test_milestones_with_photos_need_a_description(impl, officer):
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(
            actor=officer,
            implementation=impl,
            title="Site cleared",
            due_date=TODAY(),
            done=True,
            photos=[(png(), "  ")],
        )
    assert codes(exc) == {"alt"}
    assert not Milestone.objects.exists()  # nothing half-written
    milestone = services.milestone_add(
        actor=officer,
        implementation=impl,
        title="Site cleared",
        due_date=TODAY(),
        photos=[(png(), "The cleared site.")],
    )
    assert milestone.photos.get().alt_text == "The cleared site."
    services.milestone_complete(actor=officer, milestone=milestone)
    with pytest.raises(ValidationError):
        services.milestone_complete(actor=officer, milestone=milestone)
    with pytest.raises(ValidationError):
        services.photo_add(actor=officer, milestone=milestone, upload=png(), alt_text="")
    not_an_image = png()
    not_an_image.file.write(b"garbage")
    with pytest.raises(ValidationError):
        services.photo_add(
            actor=officer,
            milestone=milestone,
            upload=type(not_an_image)("x.png", b"<svg/>", "image/png"),
            alt_text="x",
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        MilestonePhoto.objects.create(milestone=milestone, image="x.png", alt_text="")


def test_an_accord_is_followed_by_its_department():
    world = World()
    accord = world.active()
    with pytest.raises(PermissionDenied):
        services.implementation_open_accord(actor=world.other_officer, accord=accord)
    impl = services.implementation_open_accord(actor=world.officer, accord=accord)
    assert impl.department_id == accord.department_id
    services.milestone_add(
        actor=world.officer, implementation=impl, title="Season review", due_date=TODAY()
    )
    assert impl.milestones.count() == 1


def test_an_accord_not_in_force_is_not_followed():
    world = World()
    accord = world.start()
    with pytest.raises(ValidationError):
        services.implementation_open_accord(actor=world.officer, accord=accord)


def test_the_department_is_named_by_an_officer_only(impl):
    with pytest.raises(PermissionDenied):
        services.implementation_assign(
            actor=resident_create(), implementation=impl, department=department_create()
        )


def test_updated_at_moves_with_changes(impl, officer):
    before = impl.updated_at
    services.milestone_add(
        actor=officer, implementation=impl, title="A", due_date=timezone.localdate()
    )
    impl.refresh_from_db()
    assert impl.updated_at >= before
