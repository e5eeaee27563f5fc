import pytest

from assemblies.records import services
from proposals.models import Claim
from tests.assembly_records.factories import assembly_create, coordinator_create
from tests.citizens.factories import officer_create
from tests.proposals.factories import claim_in_state


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")


@pytest.fixture
def assembly():
    return assembly_create()


@pytest.fixture
def coordinator(assembly):
    return coordinator_create(assembly)


@pytest.fixture
def officer():
    return officer_create()


@pytest.fixture
def opinion(assembly, coordinator, officer):
    """A draft formal opinion of the assembly on a claim in consultation."""
    claim = claim_in_state(Claim.State.CONSULTATION, officer=officer)
    return services.opinion_draft(
        actor=coordinator, assembly=assembly, claim=claim, text="Share the calendar."
    )
