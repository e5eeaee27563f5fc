import io

import pytest

from assemblies import demo as assemblies_demo
from assemblies.motions import demo
from assemblies.motions.models import Motion, RoomTablet, Vote


@pytest.mark.django_db
def test_the_demo_is_idempotent_and_complete():
    from citizens import demo as citizens_demo

    citizens_demo.seed(io.StringIO())
    assemblies_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    secret = Motion.objects.get(title=demo.BALLOT_TITLE)
    named = Motion.objects.get(title=demo.NAMED_TITLE)
    assert secret.is_closed and named.is_closed and secret.secret and not named.secret
    assert secret.meeting.state == "closed"  # the meeting's state is restored
    assert secret.outcome and named.outcome
    assert not Vote.objects.filter(motion=secret, user__isnull=False).exists()
    assert Vote.objects.filter(motion=named, user__isnull=False).count() == 3
    today = Motion.objects.get(title=demo.DRAFT_TITLE)
    assert today.is_draft and today.meeting.is_hybrid and today.meeting.is_open
    assert RoomTablet.objects.filter(meeting=today.meeting, revoked_at__isnull=True).count() == 1
    assert [m.pk for m in Motion.objects.for_minutes(secret.meeting)] == [secret.pk, named.pk]
    assert "console" in demo.describe()
