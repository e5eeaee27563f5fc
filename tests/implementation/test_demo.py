"""The demo: the published process's winners in every implementation state, and an accord."""

import io

import pytest
from django.core.management import call_command

from implementation.models import Implementation, MilestonePhoto
from tests.citizens.test_demo import audit_trail_problems, state_problems

pytestmark = pytest.mark.django_db
S = Implementation.State


def test_the_demo_shows_every_implementation_state(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    winners = Implementation.objects.filter(project__process__title="Neighbourhood Budget 2025")
    assert set(winners.values_list("state", flat=True)) == set(S)
    going = winners.get(milestones__photos__isnull=False)
    assert going.state == S.IN_PROGRESS and going.milestones.count() == 2
    assert winners.get(state=S.CANCELLED).state_reason
    assert winners.get(state=S.DONE).spent > 0
    accord = Implementation.objects.get(accord__isnull=False)
    assert accord.state == S.IN_PROGRESS and accord.milestones.exists()
    assert "/implementation/" in out.getvalue()
    counts = (Implementation.objects.count(), MilestonePhoto.objects.count())
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())  # idempotent
    assert (Implementation.objects.count(), MilestonePhoto.objects.count()) == counts
    assert audit_trail_problems() == []
    assert state_problems() == []
