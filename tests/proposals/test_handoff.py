"""What the accords app relies on: the approved-claim hand-off and the status hook."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from proposals.handoff import accord_seed, claims_ready_for_accord
from proposals.models import (
    Claim,
    UrbanResource,
    register_under_accord_condition,
    unregister_under_accord_condition,
)
from tests.citizens.factories import group_create, resident_create
from tests.proposals.factories import claim_in_state, resource_create

pytestmark = pytest.mark.django_db
S = Claim.State


def test_only_approved_claims_are_handed_over():
    with pytest.raises(ValidationError, match="Only an approved claim"):
        accord_seed(claim_in_state(S.TECHNICAL_REVIEW))
    rep = resident_create()
    group = group_create(representative=rep)
    approved = claim_in_state(S.APPROVED, author=rep, group=group, track="complex")
    seed = accord_seed(approved)
    assert seed.group == group and seed.representatives == [rep]
    assert seed.max_accord_months == 108 and seed.track == "complex"
    assert list(claims_ready_for_accord()) == [approved]


def test_resource_status_is_derived_and_accords_can_plug_in():
    resource = resource_create()
    assert resource.current_status() == UrbanResource.Status.AVAILABLE
    claim = claim_in_state(S.APPROVED, resource=resource)
    assert UrbanResource.objects.get(pk=resource.pk).current_status() == "claimed"

    # What the accords app will register: "an active accord exists on this resource".
    def under_accord():
        return Exists(Claim.objects.filter(resource=OuterRef("pk"), pk=claim.pk))

    register_under_accord_condition(under_accord)
    try:
        assert UrbanResource.objects.get(pk=resource.pk).current_status() == "under_accord"
        assert UrbanResource.objects.with_status().filter(status="under_accord").count() == 1
    finally:
        unregister_under_accord_condition(under_accord)
    assert UrbanResource.objects.get(pk=resource.pk).current_status() == "claimed"
