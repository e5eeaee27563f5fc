"""The records' demo: published minutes in two versions with decisions, and a formal opinion
on the claim in consultation, reached through the services and idempotent."""

import io

import pytest
from django.core.management import call_command

from assemblies.demo import PAST_TITLE, TODAY_TITLE
from assemblies.models import Meeting
from assemblies.records.demo import CLAIM_TITLE
from assemblies.records.models import Decision, MinutesVersion, Opinion
from proposals.opinions import formal_opinions
from tests.citizens.test_demo import audit_trail_problems, state_problems

pytestmark = pytest.mark.django_db
MINE = (
    "assembly_records.",
    "motions.",
    "assembly.opinion",
    "assembly.minutes",
    "publish_minutes",
    "motion.",
)


def _seed(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--quiet-accounts", stdout=io.StringIO())


def _counts():
    return {m.__name__: m.objects.count() for m in (MinutesVersion, Decision, Opinion)}


def test_the_records_demo(settings, tmp_path, client):
    _seed(settings, tmp_path)
    past = Meeting.objects.get(title=PAST_TITLE)
    assert past.state == Meeting.State.MINUTES_PUBLISHED
    assert list(past.minutes_versions.values_list("number", flat=True)) == [2, 1]
    assert past.decisions.filter(motion_id__isnull=True).count() == 2
    assert past.decisions.filter(motion_id__isnull=False).count() == 2  # the motions' outcomes
    opinion = Opinion.objects.get(claim__title=CLAIM_TITLE)
    assert opinion.is_adopted and opinion.decision is not None
    # Adopted by a decided motion of today's meeting, recorded in its minutes.
    motion = opinion.motion
    assert motion is not None and motion.is_closed and motion.outcome == "adopted"
    assert motion.opinion == opinion and motion.meeting.title == TODAY_TITLE
    assert opinion.decision.motion_id == motion.pk and opinion.decision.meeting == motion.meeting
    assert motion.opened_at <= opinion.adopted_at
    assert opinion.created_at < motion.created_at
    assert formal_opinions(opinion.claim) == [opinion]
    counts = _counts()
    _seed(settings, tmp_path)
    assert _counts() == counts
    assert [p for p in audit_trail_problems() if any(k in p for k in MINE)] == []
    assert [p for p in state_problems() if p.startswith(MINE)] == []
    assert client.get(f"/assemblies/records/meetings/{past.pk}/minutes/").status_code == 200
    assert "Villa Angeletti" in client.get(past.assembly.get_absolute_url()).content.decode()
    assert "shared calendar" in client.get(opinion.claim.get_absolute_url()).content.decode()
