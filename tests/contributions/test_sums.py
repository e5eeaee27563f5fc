"""Property: an activity report's hours are the sum of the period's confirmed entries, whatever
is logged, confirmed, rejected or corrected, before or after the report is filed."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accords import services as accord_services
from contributions import services
from contributions.models import Contribution
from tests.contributions.factories import active_world, today

pytestmark = pytest.mark.django_db

FATES = ("confirm", "reject", "pending", "confirm_then_reverse")

operations = st.lists(
    st.tuples(
        st.decimals(min_value=Decimal("0.1"), max_value=Decimal("24"), places=1),
        st.sampled_from(FATES),
    ),
    min_size=0,
    max_size=8,
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, report_at=st.integers(min_value=0, max_value=8))
def test_report_hours_equal_the_confirmed_entries_of_the_period(ops, report_at):
    world = active_world()
    report = None
    expected = Decimal(0)

    def file_report():
        return accord_services.report_submit(
            actor=world.rep,
            accord=world.accord,
            period_start=world.accord.start_date,
            period_end=today(),
            activities="Gardening",
        )

    for i, (hours, fate) in enumerate(ops):
        if i == report_at:
            report = file_report()
        entry = services.log_hours(
            actor=world.member, accord=world.accord, on=today(), hours=hours, description="x"
        )
        if fate in ("confirm", "confirm_then_reverse"):
            services.confirm(actor=world.rep, entry=entry)
            expected += hours
        if fate == "confirm_then_reverse":
            services.reverse(actor=world.rep, entry=entry, reason="mistake")
            expected -= hours
        if fate == "reject":
            services.reject(actor=world.rep, entry=entry, reason="no")
    report = report or file_report()
    report.refresh_from_db()
    confirmed = sum(
        (e.hours for e in Contribution.objects.filter(accord=world.accord, state="confirmed")),
        Decimal(0),
    )
    assert report.volunteer_hours == confirmed == expected
