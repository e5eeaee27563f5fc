import pytest
from django.core.management import call_command
from django.utils import timezone

from accords.models import Accord, AccordState, SupportStatus
from contributions import figures
from contributions.models import Contribution, Shift

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_season_of_contributions_and_a_shift_next_week(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--quiet-accounts")
    count = Contribution.objects.count()
    call_command("seed_demo", "--quiet-accounts")
    assert Contribution.objects.count() == count  # idempotent
    accord = Accord.objects.get(state=AccordState.ACTIVE, title__contains="Montagnola")
    totals = figures.for_accord(accord)["totals"]
    assert totals.hours > 20 and totals.goods_entries and totals.support_entries
    delivered = accord.current_version.support_items.filter(status=SupportStatus.DELIVERED)
    assert delivered.exists()
    for item in delivered:
        assert item.contributions.filter(state="confirmed").exists()
    upcoming = Shift.objects.get(date__gt=timezone.localdate())
    assert upcoming.signups.count() == 2
    assert client.get(accord.get_absolute_url()).status_code == 200
    assert client.get("/contributions/").status_code == 200
