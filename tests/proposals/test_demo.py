import pytest
from django.core.management import call_command

from citizens.models import User
from proposals.handoff import accord_seed, claims_ready_for_accord
from proposals.models import Claim, UrbanResource

pytestmark = pytest.mark.django_db


def test_demo_data_covers_every_state_and_is_idempotent(client):
    call_command("seed_demo", "--quiet-accounts")
    counts = {s: Claim.objects.filter(state=s).count() for s in Claim.State}
    call_command("seed_demo", "--quiet-accounts")
    assert {s: Claim.objects.filter(state=s).count() for s in Claim.State} == counts
    assert all(counts.values()), counts
    assert set(UrbanResource.objects.values_list("district", flat=True)) == {"Centro", "Navile"}
    for url in ("/claims/", "/resources/"):
        assert client.get(url).status_code == 200
    for claim in Claim.objects.exclude(state="draft"):
        assert client.get(claim.get_absolute_url()).status_code == 200
    client.force_login(User.objects.get(email="officer@partnercity.local"))
    assert client.get("/office/").status_code == 200
    for claim in Claim.objects.exclude(state="draft"):
        assert client.get(f"/office/claims/{claim.pk}/").status_code == 200


def test_the_demo_approved_claim_is_ready_for_an_accord():
    call_command("seed_demo", "--quiet-accounts")
    claim = claims_ready_for_accord().get(group__name="Friends of Giardino Margherita")
    seed = accord_seed(claim)
    assert seed.resource.name == "Giardino Margherita"
    assert [u.email for u in seed.representatives] == ["resident@partnercity.local"]
    assert seed.max_accord_months == 36
    assert claim.resource.current_status() == UrbanResource.Status.CLAIMED
