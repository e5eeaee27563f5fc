import io

import pytest
from django.core.management import call_command

from budgeting.live import credentials, services
from budgeting.live.models import VotingSession

pytestmark = pytest.mark.django_db


def test_the_demo_session_is_open_idempotent_and_pairs_a_tablet():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=out)
    session = VotingSession.objects.get()
    assert session.state == VotingSession.State.OPEN
    assert session.facilitators.get().email == "facilitator@partnercity.local"
    text = out.getvalue()
    assert f"/budgeting/live/sessions/{session.pk}/" in text
    code = text.rsplit("Pairing code for a first tablet: ", 1)[1].split(" ", 1)[0]
    assert session.pairing_code_hash == credentials.pairing_code_hash(code)
    tablet, _credential = services.tablet_pair(code=code)
    assert tablet.session == session
