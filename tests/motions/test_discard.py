"""A chair discards a draft motion drafted by mistake (a kernel transition, audited): it leaves
the console, the meeting's pages, the minutes and the API, and its opinion is free at once.
The motion page says why a carried motion did not adopt its opinion; tallies read as count
phrases ("1 consent · 0 stand aside · 0 objections") on every page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from assemblies.motions import live, services
from assemblies.motions.models import Motion, MotionKind, MotionState
from assemblies.records import services as records
from assemblies.records.models import Opinion
from assemblies.records.selectors import opinions_to_vote
from audit.models import AuditEntry
from proposals.models import Claim
from tests.motions.factories import motion_make, setup
from tests.proposals.factories import claim_in_state, close_consultation_now

pytestmark = pytest.mark.django_db


def _opinion(s, title="Sunday care of the garden"):
    claim = claim_in_state(Claim.State.CONSULTATION, title=title)
    return records.opinion_draft(actor=s["chair"], assembly=s["assembly"], claim=claim, text="Yes.")


def _draft_on(s, opinion, kind=MotionKind.YES_NO_ABSTAIN):
    return services.motion_create(
        actor=s["chair"], meeting=s["meeting"], title="", kind=kind, opinion=opinion
    )


# The service ---------------------------------------------------------------------------------


def test_the_chair_discards_a_draft_and_the_audit_trail_says_so():
    s = setup(members=1)
    motion = motion_make(s["meeting"], s["chair"], open_it=False)
    services.motion_discard(actor=s["chair"], motion=motion)
    motion.refresh_from_db()
    assert motion.state == MotionState.DISCARDED and motion.outcome == ""
    entry = AuditEntry.objects.get(object_id=str(motion.pk), action="motion.discard")
    assert entry.before == {"state": "draft"} and entry.after == {"state": "discarded"}
    # A discarded motion cannot be opened afterwards.
    with pytest.raises(ValidationError):
        services.motion_open(actor=s["chair"], motion=motion)


def test_discarding_releases_the_opinion_at_once():
    s = setup(members=1)
    opinion = _opinion(s)
    motion = _draft_on(s, opinion)
    assert list(opinions_to_vote(s["meeting"])) == []  # held by the draft
    with pytest.raises(ValidationError):
        _draft_on(s, opinion)
    services.motion_discard(actor=s["chair"], motion=motion)
    entry = AuditEntry.objects.get(object_id=str(motion.pk), action="motion.discard")
    assert entry.after["opinion"] == opinion.pk
    assert list(opinions_to_vote(s["meeting"])) == [opinion]
    again = _draft_on(s, opinion, kind=MotionKind.CONSENT)  # the eligibility checks accept it
    services.motion_open(actor=s["chair"], motion=again)
    assert Motion.objects.get(pk=again.pk).is_open


@pytest.mark.parametrize("who", ["voter", "observer", "outsider"])
def test_only_the_chair_discards(who):
    s = setup(members=1)
    motion = motion_make(s["meeting"], s["chair"], open_it=False)
    actor = s["voters"][0] if who == "voter" else s[who]
    with pytest.raises(PermissionDenied):
        services.motion_discard(actor=actor, motion=motion)
    assert Motion.objects.get(pk=motion.pk).is_draft
    assert not AuditEntry.objects.filter(action="motion.discard").exists()


def test_only_a_draft_is_discarded_checked_on_the_locked_row():
    s = setup(members=1)
    motion = motion_make(s["meeting"], s["chair"], open_it=False)
    stale = Motion.objects.get(pk=motion.pk)  # still a draft in memory
    services.motion_open(actor=s["chair"], motion=motion)
    with pytest.raises(ValidationError, match="discard the motion"):
        services.motion_discard(actor=s["chair"], motion=stale)
    assert Motion.objects.get(pk=motion.pk).is_open
    services.motion_close(actor=s["chair"], motion=motion)
    with pytest.raises(ValidationError):
        services.motion_discard(actor=s["chair"], motion=Motion.objects.get(pk=motion.pk))


# The pages -----------------------------------------------------------------------------------


def test_the_console_discards_a_draft_after_the_confirmation_page(client):
    s = setup(members=1)
    draft = motion_make(s["meeting"], s["chair"], open_it=False)
    opened = motion_make(s["meeting"], s["chair"])
    client.force_login(s["chair"])
    console = reverse("motions:console", args=[s["meeting"].pk])
    page = client.get(console).content.decode()
    assert f'data-testid="discard-{draft.pk}"' in page
    assert f'data-testid="discard-{opened.pk}"' not in page
    url = reverse("motions:discard", args=[draft.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Discard the draft motion" in confirm.content.decode()
    assert Motion.objects.get(pk=draft.pk).is_draft  # a GET only asks
    response = client.post(url, {"confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == console
    page = response.content.decode()
    assert "The draft motion is discarded." in page
    assert Motion.objects.get(pk=draft.pk).is_discarded
    assert f'data-testid="motion-{draft.pk}"' not in page


def test_discarding_an_open_motion_from_the_page_says_why(client):
    s = setup(members=1)
    opened = motion_make(s["meeting"], s["chair"])
    client.force_login(s["chair"])
    response = client.post(
        reverse("motions:discard", args=[opened.pk]), {"confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    assert "You cannot discard the motion while it is" in response.content.decode()
    assert Motion.objects.get(pk=opened.pk).is_open


def test_a_member_cannot_discard_from_the_page(client):
    s = setup(members=1)
    draft = motion_make(s["meeting"], s["chair"], open_it=False)
    client.force_login(s["voters"][0])
    response = client.post(reverse("motions:discard", args=[draft.pk]), {"confirm": "1"})
    assert response.status_code == 403
    assert Motion.objects.get(pk=draft.pk).is_draft


def test_the_confirmation_page_is_in_italian(client):
    s = setup(members=1)
    draft = motion_make(s["meeting"], s["chair"], open_it=False)
    client.force_login(s["chair"])
    with translation.override("it"):
        page = client.get(
            reverse("motions:discard", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="it"
        ).content.decode()
    assert "Scarta la bozza di mozione" in page and "Discard the draft motion" not in page


def test_discarded_motions_are_on_no_list(client):
    s = setup(members=1)
    opinion = _opinion(s)
    discarded = _draft_on(s, opinion)
    services.motion_discard(actor=s["chair"], motion=discarded)
    kept = motion_make(s["meeting"], s["chair"], open_it=False)
    client.force_login(s["chair"])
    console = client.get(reverse("motions:console", args=[s["meeting"].pk])).content.decode()
    assert f'data-testid="motion-{kept.pk}"' in console
    assert f'data-testid="motion-{discarded.pk}"' not in console
    data, _due = live.chair_snapshot(s["meeting"].pk)
    assert [m["id"] for m in data["motions"]] == [kept.pk]
    # The opinion's page lists no vote on it, and the opinion can be put to the vote again.
    page = client.get(reverse("assembly_records:opinion-detail", args=[opinion.pk]))
    page = page.content.decode()
    assert 'data-testid="opinion-motions"' not in page
    assert 'data-testid="opinion-pending"' not in page
    # Minutes and API: closed motions only.
    assert list(Motion.objects.for_minutes(s["meeting"])) == []
    api = client.get(f"/api/meetings/{s['meeting'].pk}/motions").json()
    assert discarded.pk not in [m["id"] for m in api["items"]]


def test_the_console_lists_motions_in_constant_queries(client):
    s = setup(members=1)
    client.force_login(s["chair"])
    url = reverse("motions:console", args=[s["meeting"].pk])
    motion_make(s["meeting"], s["chair"], open_it=False)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        services.motion_discard(
            actor=s["chair"], motion=motion_make(s["meeting"], s["chair"], open_it=False)
        )
        motion_make(s["meeting"], s["chair"], open_it=False)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(one)


# Why a carried motion did not adopt its opinion ----------------------------------------------


def _carried_too_late(s):
    opinion = _opinion(s)
    motion = _draft_on(s, opinion)
    services.motion_open(actor=s["chair"], motion=motion)
    services.vote_cast(actor=s["chair"], motion=motion, choice="yes")
    return opinion, motion


def test_the_motion_page_says_why_the_opinion_was_not_adopted(client):
    s = setup(members=1)
    s["meeting"].registrations.create(user=s["chair"], checked_in_at=timezone.now())
    opinion, motion = _carried_too_late(s)
    close_consultation_now(opinion.claim)
    services.motion_close(actor=s["chair"], motion=motion)
    page = client.get(reverse("motions:detail", args=[motion.pk])).content.decode()
    assert 'data-testid="motion-opinion-not-adopted"' in page
    assert "the claim was no longer in public consultation when the vote closed" in page
    assert "see the minutes for why" not in page


def test_an_opinion_no_longer_a_draft_when_the_vote_closed_is_the_reason(client):
    s = setup(members=1)
    s["meeting"].registrations.create(user=s["chair"], checked_in_at=timezone.now())
    opinion, motion = _carried_too_late(s)
    # Withdrawn under the vote (a race the services refuse; the row says so).
    Opinion.objects.filter(pk=opinion.pk).update(state="withdrawn", withdrawn_at=timezone.now())
    services.motion_close(actor=s["chair"], motion=motion)
    motion = Motion.objects.get(pk=motion.pk)
    reason = "it was no longer a draft when the vote closed"
    assert reason in motion.opinion_not_adopted_reason
    assert reason in client.get(reverse("motions:detail", args=[motion.pk])).content.decode()
    page = client.get(reverse("assembly_records:opinion-detail", args=[opinion.pk]))
    assert reason in page.content.decode()


# Tallies as count phrases --------------------------------------------------------------------


def _closed_consent(s, choices):
    opinion = _opinion(s)
    motion = _draft_on(s, opinion, kind=MotionKind.CONSENT)
    services.motion_open(actor=s["chair"], motion=motion)
    for voter, choice in zip(s["voters"], choices, strict=False):
        services.vote_cast(actor=voter, motion=motion, choice=choice)
    services.motion_close(actor=s["chair"], motion=motion)
    opinion.refresh_from_db()
    return opinion, Motion.objects.get(pk=motion.pk)


def test_a_consent_tally_reads_as_counts_on_the_opinion_and_claim_pages(client):
    s = setup(members=2, quorum=0)
    opinion, motion = _closed_consent(s, ["consent"])
    assert opinion.motion_id == motion.pk
    line = "1 consent · 0 stand aside · 0 objections"
    assert motion.counts_line == line
    assert line in client.get(opinion.get_absolute_url()).content.decode()
    assert line in client.get(opinion.claim.get_absolute_url()).content.decode()
    with translation.override("it"):
        assert motion.counts_line == "1 consenso · 0 si fanno da parte · 0 obiezioni"


def test_plural_phrases_and_the_minutes_summary():
    s = setup(members=3)
    _opinion_, motion = _closed_consent(s, ["consent", "consent", "stand_aside"])
    assert motion.counts_line == "2 consents · 1 stands aside · 0 objections"
    summary = services.votes_summary(motion, motion.tally)
    assert summary.startswith("2 consents · 1 stands aside · 0 objections — ")
