"""Records under concurrent writes, on PostgreSQL with real threads."""

import pytest
from django.core.exceptions import ValidationError

from assemblies.models import Meeting
from assemblies.records import services
from assemblies.records.models import Opinion
from proposals.models import Claim
from tests.assembly_records.factories import assembly_create, coordinator_create, meeting_create
from tests.concurrency import run_together
from tests.proposals.factories import claim_in_state

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_versions_saved_at_once_get_distinct_numbers():
    assembly = assembly_create()
    coordinator = coordinator_create(assembly)
    meeting = meeting_create(assembly, state=Meeting.State.CLOSED)
    results = run_together(
        *[
            lambda i=i: services.minutes_save(actor=coordinator, meeting=meeting, text=f"Text {i}")
            for i in range(6)
        ]
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sorted(meeting.minutes_versions.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6]


def test_publishing_and_a_new_version_at_once_leave_the_published_text_final():
    assembly = assembly_create()
    coordinator = coordinator_create(assembly)
    meeting = meeting_create(assembly, state=Meeting.State.CLOSED)
    services.minutes_save(actor=coordinator, meeting=meeting, text="First")
    results = run_together(
        lambda: services.minutes_publish(actor=coordinator, meeting=meeting),
        lambda: services.minutes_save(actor=coordinator, meeting=meeting, text="Second"),
    )
    meeting.refresh_from_db()
    assert meeting.state == Meeting.State.MINUTES_PUBLISHED
    entry_version = meeting.minutes_versions.order_by("-number").first().number
    # Either the new version came first and was published, or it was refused afterwards.
    if isinstance(results[1], ValidationError):
        assert entry_version == 1
    else:
        assert entry_version == 2
    assert not isinstance(results[0], Exception)


def test_two_coordinators_drafting_at_once_make_one_opinion():
    assembly = assembly_create()
    first, second = coordinator_create(assembly), coordinator_create(assembly)
    claim = claim_in_state(Claim.State.CONSULTATION)
    results = run_together(
        *[
            lambda u=u: services.opinion_draft(actor=u, assembly=assembly, claim=claim, text="x")
            for u in (first, second)
        ]
    )
    assert Opinion.objects.filter(assembly=assembly, claim=claim).count() == 1
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1
    assert isinstance(refused[0], ValidationError)  # a friendly refusal, not an IntegrityError


def test_two_motions_on_one_opinion_opened_at_once_open_one_vote():
    """Drafted in two meetings (the second after the first meeting's draft went stale), both
    opened at the same moment: the opinion's row lock and the unique constraint leave one
    vote open; the other opening is refused, not a server error."""
    from assemblies.motions import services as motions
    from assemblies.motions.models import Motion

    assembly = assembly_create()
    coordinator = coordinator_create(assembly)
    claim = claim_in_state(Claim.State.CONSULTATION)
    opinion = services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="x")
    meeting = meeting_create(assembly, state=Meeting.State.OPEN, chair=coordinator)
    drafts = [
        Motion.objects.create(meeting=meeting, title=f"Adopt it {i}", opinion=opinion)
        for i in range(2)
    ]
    results = run_together(
        *[lambda m=m: motions.motion_open(actor=coordinator, motion=m) for m in drafts]
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ValidationError), results
    assert Motion.objects.filter(opinion=opinion, state="open").count() == 1
    # And the opinion cannot be edited while it is voted on.
    with pytest.raises(ValidationError, match="voting on this opinion"):
        services.opinion_edit(actor=coordinator, opinion=opinion, text="y")
