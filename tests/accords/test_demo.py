import pytest
from django.core.management import call_command
from django.utils import timezone

from accords.models import Accord, AccordState, Signature
from audit.models import AuditEntry
from citizens.models import User
from proposals.demo import APPROVED_TITLE
from proposals.handoff import claims_ready_for_accord

pytestmark = pytest.mark.django_db


def test_demo_accords_cover_the_main_states_and_are_idempotent(client, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--quiet-accounts")
    states = sorted(Accord.objects.values_list("state", flat=True))
    call_command("seed_demo", "--quiet-accounts")
    assert sorted(Accord.objects.values_list("state", flat=True)) == states
    assert set(states) == {
        AccordState.DRAFTING,
        AccordState.AWAITING_SIGNATURES,
        AccordState.ACTIVE,
        AccordState.SUSPENDED,
        AccordState.EXPIRED,
    }
    active = Accord.objects.get(state=AccordState.ACTIVE)
    assert active.reports.filter(state="acknowledged").exists()
    # The claims demo's approved claim waits for a newcomer to start its accord.
    ready = claims_ready_for_accord().get(title=APPROVED_TITLE)
    assert not ready.accords.exists()
    call_command("accords_verify")
    assert client.get("/accords/").status_code == 200
    for accord in Accord.objects.all():
        assert client.get(accord.get_absolute_url()).status_code == 200
    client.force_login(User.objects.get(email="officer@partnercity.local"))
    page = client.get("/accords/mine/").content.decode()
    assert APPROVED_TITLE in page
    for accord in Accord.objects.all():
        assert client.get(accord.workspace_url()).status_code == 200
    client.force_login(User.objects.get(email="signatory@partnercity.local"))
    awaiting = Accord.objects.get(state=AccordState.AWAITING_SIGNATURES)
    assert client.get(f"/accords/{awaiting.pk}/sign/").status_code == 200


def test_accords_in_force_were_signed_before_they_came_into_force(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--quiet-accounts")
    activated = Accord.objects.exclude(
        state__in=[AccordState.DRAFTING, AccordState.AWAITING_SIGNATURES]
    )
    assert activated.exists()
    for accord in activated:
        activation = AuditEntry.objects.for_object(accord).filter(action="accord.activate").get()
        signatures = Signature.objects.filter(version__accord=accord)
        assert signatures.exists()
        assert all(s.signed_at <= activation.at for s in signatures), accord
        assert accord.signed_at <= activation.at
        # It came into force with its last signature, not on the day the demo was seeded.
        assert (activation.at - max(s.signed_at for s in signatures)).total_seconds() < 60
        assert accord.created_at <= min(s.signed_at for s in signatures)
        if accord.state == AccordState.ACTIVE:
            # In force since its start, not since the day the demo was seeded.
            assert timezone.localdate(activation.at) <= accord.start_date
