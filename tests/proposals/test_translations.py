"""The Italian catalogue of the claims app is complete and consistent."""

import re
from pathlib import Path

import polib
import pytest

PO = (
    Path(__file__).resolve().parents[2]
    / "proposals"
    / "locale"
    / "it"
    / "LC_MESSAGES"
    / "django.po"
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_every_string_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    assert not po.metadata_is_fuzzy
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert len(po.translated_entries()) > 400


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(PO)):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        targets = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for target in targets:
            assert sorted(PLACEHOLDER.findall(target)) == expected, entry.msgid


@pytest.mark.django_db
def test_claim_pages_and_messages_in_italian(client, italian):
    from proposals.models import Claim
    from proposals.rules import claim_policy
    from tests.citizens.factories import user_create
    from tests.proposals.factories import claim_in_state

    claim = claim_in_state(Claim.State.CONSULTATION)
    client.cookies["django_language"] = "it"
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Consultazione pubblica" in html and "Cronologia" in html
    assert "Presentata al Comune" in html  # the timeline is translated too
    assert "Proposte" in client.get("/claims/").content.decode()
    assert "Beni urbani" in client.get("/resources/").content.decode()
    from django.utils import translation

    with translation.override("it"):
        assert (
            "residenza verificata" in claim_policy.allows(user_create(), "support", claim).message
        )
