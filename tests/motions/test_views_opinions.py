"""The chair's console puts a draft formal opinion to the vote: only eligible opinions are
offered, refusals show next to their fields, and the pages link the motion and the opinion."""

import html
import re

import pytest
from django.urls import reverse

from assemblies.models import MeetingState
from assemblies.motions import services
from assemblies.motions.models import Motion
from assemblies.records import services as records
from proposals.models import Claim
from tests.motions.factories import meeting_make, setup
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db


def _draft(s, title="Sunday care of the garden", text="We support it."):
    claim = claim_in_state(Claim.State.CONSULTATION, title=title)
    return records.opinion_draft(actor=s["chair"], assembly=s["assembly"], claim=claim, text=text)


def _choices(page: str) -> list[str]:
    select = re.search(r'<select name="opinion"[^>]*>(.*?)</select>', page, re.S)
    assert select, "the form has no opinion field"
    return re.findall(r'<option value="(\d+)"', select.group(1))


def _field_error(page: str, field: str) -> str:
    """The errors rendered next to one field (includes/form_fields.html)."""
    for block in re.findall(r'<div class="field has-error">(.*?)</div>', page, re.S):
        if f'name="{field}"' in block:
            return html.unescape(" ".join(re.findall(r"<li>(.*?)</li>", block, re.S)))
    return ""


def test_the_console_offers_only_the_opinions_that_can_be_voted_on(client):
    s = setup(members=1)
    eligible = _draft(s)
    adopted = _draft(s, title="Adopted already")
    services.motion_create(actor=s["chair"], meeting=s["meeting"], title="", opinion=adopted)
    busy = Motion.objects.get(opinion=adopted)  # a draft motion holds it
    too_late = _draft(s, title="Consultation over")
    Claim.objects.filter(pk=too_late.claim_id).update(state=Claim.State.TECHNICAL_REVIEW)
    other = setup(members=1)
    foreign = _draft(other, title="Another assembly's claim")
    client.force_login(s["chair"])
    page = client.get(reverse("motions:console", args=[s["meeting"].pk])).content.decode()
    assert _choices(page) == [str(eligible.pk)]
    assert "Opinion on “Sunday care of the garden”" in page
    assert str(foreign.pk) not in _choices(page) and str(busy.opinion_id) not in _choices(page)
    # The opinion page's link preselects it.
    page = client.get(
        reverse("motions:console", args=[s["meeting"].pk]) + f"?opinion={eligible.pk}"
    ).content.decode()
    assert f'<option value="{eligible.pk}" selected>' in page


def test_the_console_says_when_no_opinion_waits(client):
    s = setup(members=1)
    client.force_login(s["chair"])
    page = client.get(reverse("motions:console", args=[s["meeting"].pk])).content.decode()
    assert _choices(page) == []
    assert "No draft opinion of this assembly waits for a vote" in page


def test_the_chair_puts_an_opinion_to_the_vote_with_the_form(client):
    s = setup(members=1)
    opinion = _draft(s)
    client.force_login(s["chair"])
    response = client.post(
        reverse("motions:create", args=[s["meeting"].pk]),
        {"opinion": opinion.pk, "title": "", "kind": "consent"},
    )
    assert response.status_code == 302
    motion = Motion.objects.get()
    assert motion.opinion == opinion and motion.kind == "consent"
    assert motion.title == "Adopt the opinion on “Sunday care of the garden”"
    assert motion.text == "We support it."
    console = client.get(reverse("motions:console", args=[s["meeting"].pk])).content.decode()
    assert reverse("assembly_records:opinion-detail", args=[opinion.pk]) in console
    assert _choices(console) == []  # it is before this motion now
    # The opinion page points to the motion waiting for its vote.
    page = client.get(opinion.get_absolute_url()).content.decode()
    assert 'data-testid="opinion-pending"' in page and motion.title in page


def test_refusals_show_next_to_their_fields(client):
    s = setup(members=1)
    opinion = _draft(s)
    client.force_login(s["chair"])
    create = reverse("motions:create", args=[s["meeting"].pk])
    options = client.post(
        create, {"opinion": opinion.pk, "kind": "options", "options": "A\nB", "title": "x"}
    )
    assert options.status_code == 400
    assert "not by a choice between options" in _field_error(options.content.decode(), "kind")
    text = client.post(create, {"opinion": opinion.pk, "kind": "consent", "text": "Other words"})
    assert text.status_code == 400
    assert "the opinion's text" in _field_error(text.content.decode(), "text")
    untitled = client.post(create, {"kind": "yes_no_abstain", "title": ""})
    assert untitled.status_code == 400
    assert "Give the motion a title." in _field_error(untitled.content.decode(), "title")
    other = setup(members=1)
    foreign = _draft(other, title="Not ours")
    stranger = client.post(create, {"opinion": foreign.pk, "kind": "consent"})
    assert stranger.status_code == 400
    assert _field_error(stranger.content.decode(), "opinion")  # not one of the choices
    assert not Motion.objects.exists()


def test_a_refusal_of_the_service_lands_on_the_opinion_field(client, monkeypatch):
    """Eligible when the form was built, taken by another motion before the service ran."""
    s = setup(members=1)
    opinion = _draft(s)
    client.force_login(s["chair"])
    other_meeting = meeting_make(s["assembly"], state=MeetingState.PLANNED, chair=s["chair"])
    from assemblies.motions import forms

    real = forms.MotionForm.clean_opinion

    def clean_then_race(form):
        found = real(form)
        services.motion_create(actor=s["chair"], meeting=other_meeting, title="", opinion=found)
        return found

    monkeypatch.setattr(forms.MotionForm, "clean_opinion", clean_then_race)
    response = client.post(
        reverse("motions:create", args=[s["meeting"].pk]),
        {"opinion": opinion.pk, "kind": "consent"},
    )
    assert response.status_code == 400
    assert "already put to the motion" in _field_error(response.content.decode(), "opinion")
    assert Motion.objects.filter(opinion=opinion).count() == 1


def test_the_ballot_links_the_opinion_put_to_the_vote(client):
    s = setup(members=1)
    opinion = _draft(s)
    motion = services.motion_create(
        actor=s["chair"], meeting=s["meeting"], title="", opinion=opinion
    )
    services.motion_open(actor=s["chair"], motion=motion)
    client.force_login(s["voters"][0])
    page = client.get(reverse("motions:vote-page", args=[s["meeting"].pk])).content.decode()
    assert "Carried, this motion adopts the assembly's formal opinion below." in html.unescape(page)
    assert reverse("assembly_records:opinion-detail", args=[opinion.pk]) in page
    # Being voted on, the draft is public, like the motion.
    client.logout()
    assert client.get(opinion.get_absolute_url()).status_code == 200
