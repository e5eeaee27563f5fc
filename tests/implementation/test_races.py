"""Two officers at the same moment (PostgreSQL, real threads): the row lock serialises them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from implementation import services
from implementation.models import Implementation
from tests.citizens.factories import officer_create
from tests.concurrency import run_together
from tests.implementation.factories import implementation_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_expenses_all_count():
    officer = officer_create()
    impl = implementation_create(officer=officer, department=officer.department)
    today = timezone.localdate()
    results = run_together(
        *[
            lambda: services.expense_add(
                actor=officer, implementation=impl, amount=Decimal("10.25"), spent_on=today
            )
            for _ in range(4)
        ]
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    impl.refresh_from_db()
    assert impl.spent == Decimal("41.00") == sum(e.amount for e in impl.expenses.all())


def test_complete_and_cancel_at_once_one_wins():
    officer = officer_create()
    impl = implementation_create(officer=officer, department=officer.department)
    services.implementation_transition(actor=officer, implementation=impl, name="start")
    results = run_together(
        lambda: services.implementation_transition(
            actor=officer, implementation=impl, name="cancel", reason="No permit."
        ),
        lambda: services.implementation_transition(
            actor=officer, implementation=impl, name="complete"
        ),
    )
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], ValidationError), results
    impl.refresh_from_db()
    assert impl.state in (Implementation.State.CANCELLED, Implementation.State.DONE)
    assert (impl.progress == 100) == (impl.state == Implementation.State.DONE)
