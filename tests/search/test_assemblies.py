"""Site search over assemblies and meetings: found by a word of the title, the charter and
the agenda; what the assemblies' policy lets anyone see is found by visitors."""

import pytest
from django.contrib.auth.models import AnonymousUser

from assemblies import services as assembly_services
from assemblies.models import Meeting
from search import services
from tests.assemblies.factories import assembly_make, meeting_make
from tests.citizens.factories import user_create

pytestmark = pytest.mark.django_db


def _found(query, user=None):
    return [h.obj for h in services.search(user or AnonymousUser(), query)]


def test_an_assembly_is_found_by_its_name_and_its_charter(client):
    assembly = assembly_make(name="Assembly of the riverbanks")
    from assemblies.models import CharterVersion

    CharterVersion.objects.create(
        assembly=assembly, number=2, text="We tend the willows together.", quorum_percent=0
    )
    assert assembly in _found("riverbanks")
    assert assembly in _found("willows")
    client.cookies["django_language"] = "en"
    html = client.get("/search/", {"q": "riverbanks"}).content.decode()
    assert f'href="{assembly.get_absolute_url()}"' in html
    assert 'data-type="assemblies"' in html


def test_a_meeting_is_found_by_its_title_place_and_agenda():
    coordinator = user_create()
    assembly = assembly_make(coordinators=[coordinator])
    meeting = meeting_make(assembly, title="Harvest gathering", place="Orangery hall")
    assert meeting in _found("harvest")
    assert meeting in _found("orangery")
    assembly_services.edit_meeting(
        meeting, by=coordinator, agenda=[assembly_services.AgendaLine("Composting rota")]
    )
    assert meeting in _found("composting")
    assert assembly not in _found("composting")


def test_a_word_finds_only_its_own_meeting():
    assembly = assembly_make()
    meeting = meeting_make(assembly, title="Lantern walk")
    meeting_make(assembly, title="Seed swap")
    assert _found("lantern") == [meeting]


def test_meetings_follow_the_policy(client, monkeypatch):
    """Whatever the meetings' policy hides from a visitor, search hides too (today every
    meeting is public, a cancelled one with its reason: it is found)."""
    assembly = assembly_make()
    cancelled = meeting_make(assembly, title="Cancelled picnic", state=Meeting.State.CANCELLED)
    assert cancelled in _found("picnic")
    from assemblies.rules import MEETING

    real = MEETING.queryset

    def hide_cancelled(user, action, base=None):
        return real(user, action, base).exclude(state=Meeting.State.CANCELLED)

    monkeypatch.setattr(MEETING, "queryset", hide_cancelled)
    assert cancelled not in _found("picnic")
