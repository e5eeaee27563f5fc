"""The records' pages: who sees what, the forms, the claim's pages with an opinion, CSV, and
query counts on lists."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assemblies.models import Meeting
from assemblies.records import services
from assemblies.records.models import Decision, MinutesVersion, Opinion
from proposals.models import Claim
from tests.assembly_records.factories import (
    adopt_by_motion,
    assembly_create,
    meeting_create,
    member_add,
    registration_create,
)
from tests.proposals.factories import claim_in_state, close_consultation_now

pytestmark = pytest.mark.django_db
M = Meeting.State


@pytest.fixture
def assembly():
    return assembly_create(name="Assembly of Tests")


def url(name, *args):
    return reverse(f"assembly_records:{name}", args=args)


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


# Minutes and decisions ------------------------------------------------------------------


def test_draft_minutes_are_hidden_from_the_public(client, assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    MinutesVersion.objects.create(meeting=meeting, number=1, text="Secret draft")
    assert client.get(url("meeting-minutes", meeting.pk)).status_code == 404
    client.force_login(member_add(assembly))
    assert client.get(url("meeting-minutes", meeting.pk)).status_code == 404
    client.force_login(coordinator)
    response = client.get(url("meeting-minutes", meeting.pk))
    assert response.status_code == 200
    assert "Secret draft" in response.content.decode()


def test_coordinator_writes_two_versions_sees_the_diff_and_publishes(client, assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    client.force_login(coordinator)
    response = client.post(url("minutes-edit", meeting.pk), {"text": "We met.\nWe agreed."})
    assert response.status_code == 302
    client.post(url("minutes-edit", meeting.pk), {"text": "We met.\nWe all agreed.", "note": "n"})
    diff = client.get(url("minutes-version", meeting.pk, 2)).content.decode()
    assert "<ins>all </ins>" in diff
    # "²" passed str.isdigit, then int() raised ValueError (a 500): now the previous version.
    diff = client.get(url("minutes-version", meeting.pk, 2) + "?compare=²").content.decode()
    assert "<ins>all </ins>" in diff
    response = client.post(
        url("decision-new", meeting.pk), {"text": "The plan", "outcome": "adopted"}
    )
    assert response.status_code == 302
    assert client.get(url("minutes-publish", meeting.pk)).status_code == 200
    response = client.post(url("minutes-publish", meeting.pk), {"confirm": "1"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == M.MINUTES_PUBLISHED
    # Public now, with its decisions, on the meeting page and the assembly page.
    client.logout()
    page = client.get(url("meeting-minutes", meeting.pk)).content.decode()
    assert "We all agreed." in page and "The plan" in page
    meeting_page = client.get(meeting.get_absolute_url()).content.decode()
    assert 'data-testid="meeting-records"' in meeting_page
    assert url("meeting-minutes", meeting.pk) in meeting_page
    assembly_page = client.get(assembly.get_absolute_url()).content.decode()
    assert "The plan" in assembly_page


def test_editing_published_minutes_is_refused_with_a_message(client, assembly, coordinator):
    meeting = meeting_create(assembly, state=M.MINUTES_PUBLISHED)
    client.force_login(coordinator)
    response = client.post(url("minutes-edit", meeting.pk), {"text": "Late"}, follow=True)
    assert "published minutes cannot be changed" in response.content.decode()
    assert meeting.minutes_versions.count() == 1


def test_empty_minutes_show_a_form_error(client, assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    client.force_login(coordinator)
    response = client.post(url("minutes-edit", meeting.pk), {"text": "  "})
    assert response.status_code == 400


def test_a_member_gets_403_on_the_tools(client, assembly):
    meeting = meeting_create(assembly, state=M.CLOSED)
    client.force_login(member_add(assembly))
    for name in ("minutes-edit", "minutes-publish", "decision-new"):
        assert client.get(url(name, meeting.pk)).status_code == 403, name


# Attendance -------------------------------------------------------------------------------


def test_attendance_counts_are_public_names_are_not(client, assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    registration_create(meeting, checked_in=True)
    person = registration_create(meeting).user
    page = client.get(url("meeting-attendance", meeting.pk)).content.decode()
    assert 'data-testid="attendance-counts"' in page
    assert person.display_name not in page
    client.force_login(coordinator)
    page = client.get(url("meeting-attendance", meeting.pk)).content.decode()
    assert person.display_name in page


def test_coordinator_marks_online_attendance_from_the_list(client, assembly, coordinator):
    meeting = meeting_create(assembly, state=M.CLOSED)
    registration = registration_create(meeting)
    client.force_login(coordinator)
    response = client.post(
        url("meeting-attendance", meeting.pk), {"registration": registration.pk, "attended": "1"}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.attended_online
    # The registration is a hidden field: junk raised ValueError (a 500).
    for junk in ("junk\x00", "²"):
        data = {"registration": junk, "attended": "0"}
        assert client.post(url("meeting-attendance", meeting.pk), data).status_code == 404
    registration.refresh_from_db()
    assert registration.attended_online


def test_attendance_of_a_planned_meeting_is_not_shown(client, assembly):
    meeting = meeting_create(assembly, state=M.PLANNED)
    assert client.get(url("meeting-attendance", meeting.pk)).status_code == 404


# Formal opinions on the claim's pages ----------------------------------------------------


@pytest.fixture
def opinion(opinion, coordinator):
    """Here the opinion is adopted (by a motion): it shows on the claim's pages."""
    adopt_by_motion(opinion, chair=coordinator)
    return opinion


def test_coordinator_drafts_and_is_sent_to_a_meeting_to_put_it_to_the_vote(
    client, assembly, coordinator
):
    claim = claim_in_state(Claim.State.CONSULTATION)
    client.force_login(coordinator)
    form = client.get(url("opinion-new", assembly.slug) + f"?claim={claim.pk}")
    assert form.status_code == 200
    # "²" passed str.isdigit, then int() raised ValueError (a 500): now no claim chosen.
    assert client.get(url("opinion-new", assembly.slug) + "?claim=²").status_code == 200
    response = client.post(
        url("opinion-new", assembly.slug), {"claim": claim.pk, "text": "We support it."}
    )
    opinion = Opinion.objects.get()
    assert response.status_code == 302 and response["Location"] == opinion.get_absolute_url()
    page = client.get(opinion.get_absolute_url()).content.decode()
    assert "To be adopted by a motion" in page
    assert 'data-testid="opinion-no-meeting"' in page  # no meeting to vote in yet
    meeting = meeting_create(assembly, state=M.OPEN, title="Tonight's assembly")
    page = client.get(opinion.get_absolute_url()).content.decode()
    console = reverse("motions:console", args=[meeting.pk]) + f"?opinion={opinion.pk}"
    assert f'href="{console}"' in page and "Tonight" in page
    assert "opinion-adopt" not in page  # no direct adoption
    assert client.post(f"/assemblies/records/opinions/{opinion.pk}/adopt/").status_code == 404
    opinion.refresh_from_db()
    assert opinion.is_draft


def test_the_opinion_page_tells_the_votes_on_it(client, assembly, coordinator):
    claim = claim_in_state(Claim.State.CONSULTATION)
    opinion = services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="x")
    meeting = meeting_create(assembly, state=M.OPEN, chair=coordinator, title="First try")
    rejected = adopt_by_motion(opinion, chair=coordinator, choice="no", meeting=meeting)
    page = client.get(opinion.get_absolute_url()).content.decode()  # public once voted on
    assert 'data-testid="opinion-rejected"' in page
    assert "Not carried: the opinion stays a draft." in page
    assert reverse("motions:detail", args=[rejected.pk]) in page
    carried = adopt_by_motion(opinion, chair=coordinator, meeting=meeting)
    page = client.get(opinion.get_absolute_url()).content.decode()
    assert 'data-testid="opinion-adopted-by"' in page
    assert f'Adopted by the motion <a href="{carried.get_absolute_url()}">Adopt the' in page
    assert "1 yes · 0 no · 0 abstentions" in page
    assert "Carried: the opinion is adopted." in page


def test_a_carried_vote_after_the_consultation_says_why_nothing_was_adopted(
    client, assembly, coordinator
):
    from assemblies.motions import services as motions
    from tests.assembly_records.factories import motion_on_opinion

    claim = claim_in_state(Claim.State.CONSULTATION)
    opinion = services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="x")
    motion = motion_on_opinion(opinion, chair=coordinator)
    motions.vote_cast(actor=coordinator, motion=motion, choice="yes")
    close_consultation_now(claim)
    motions.motion_close(actor=coordinator, motion=motion)
    page = client.get(opinion.get_absolute_url()).content.decode()
    assert 'data-testid="opinion-not-adopted"' in page
    assert "the claim was no longer in public consultation" in page
    assert 'data-testid="opinion-too-late"' in page
    client.force_login(coordinator)
    minutes = client.get(url("meeting-minutes", motion.meeting_id)).content.decode()
    assert "not adopted: the claim was no longer in public consultation" in minutes


def test_a_claim_not_in_consultation_cannot_be_chosen(client, assembly, coordinator):
    claim = claim_in_state(Claim.State.SUBMITTED)
    client.force_login(coordinator)
    response = client.post(url("opinion-new", assembly.slug), {"claim": claim.pk, "text": "x"})
    assert response.status_code == 400
    assert not Opinion.objects.exists()


def test_a_member_cannot_draft(client, assembly):
    client.force_login(member_add(assembly))
    assert client.get(url("opinion-new", assembly.slug)).status_code == 403


def test_the_opinion_shows_on_the_claims_public_page_and_in_the_api(client, opinion):
    page = client.get(opinion.claim.get_absolute_url()).content.decode()
    assert 'data-testid="formal-opinions"' in page
    assert "Share the calendar." in page and "Assembly of Tests" in page
    data = client.get(f"/api/claims/{opinion.claim_id}").json()
    assert data["formal_opinions"][0]["body"] == "Assembly of Tests"
    assert data["formal_opinions"][0]["text"] == "Share the calendar."
    assert opinion.motion_id and data["formal_opinions"][0]["motion"] == opinion.motion_id
    assert data["opinion_answer"] == ""


def test_the_claims_page_shows_the_motion_that_adopted_the_opinion(client, opinion):
    page = client.get(opinion.claim.get_absolute_url()).content.decode()
    assert 'data-testid="opinion-motion"' in page
    assert opinion.motion.title.replace("“", "&ldquo;") in page or opinion.motion.title in page
    assert opinion.motion.get_absolute_url() in page
    assert "(1 yes · 0 no · 0 abstentions)" in page


def test_the_minutes_and_the_motion_link_to_the_opinion(client, opinion, coordinator):
    client.force_login(coordinator)
    minutes = client.get(url("meeting-minutes", opinion.motion.meeting_id)).content.decode()
    assert 'data-testid="decision-opinion"' in minutes
    assert opinion.get_absolute_url() in minutes
    assert reverse("motions:detail", args=[opinion.motion_id]) in minutes
    client.logout()
    motion_page = client.get(opinion.motion.get_absolute_url()).content.decode()
    assert 'data-testid="motion-opinion"' in motion_page
    assert opinion.get_absolute_url() in motion_page
    assert "Carried: the opinion is adopted." in motion_page


def test_the_officers_decision_form_requires_the_answer(client, opinion, officer):
    claim = close_consultation_now(opinion.claim)
    client.force_login(officer)
    path = reverse("proposals:office-claim", args=[claim.pk])
    page = client.get(path).content.decode()
    assert "Share the calendar." in page
    assert "Answer to the Assembly" in page
    assert 'data-testid="opinion-motion"' in page  # the officer sees the vote that adopted it
    assert opinion.motion.get_absolute_url() in page
    response = client.post(
        path,
        {"action": "decide", "decide-decision": "approve", "decide-reasons": "Good plan."},
    )
    assert response.status_code == 400
    assert "answer it before deciding." in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == Claim.State.TECHNICAL_REVIEW
    response = client.post(
        path,
        {
            "action": "decide",
            "decide-decision": "approve",
            "decide-reasons": "Good plan.",
            "decide-opinion_answer": "The calendar becomes a clause of the accord.",
        },
    )
    assert response.status_code == 302
    client.logout()
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "The calendar becomes a clause of the accord." in page
    assert (
        "The calendar becomes a clause" in client.get(opinion.get_absolute_url()).content.decode()
    )


def test_a_draft_opinion_is_private(client, assembly, coordinator):
    claim = claim_in_state(Claim.State.CONSULTATION)
    opinion = services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="x")
    assert client.get(opinion.get_absolute_url()).status_code == 404
    client.force_login(coordinator)
    assert client.get(opinion.get_absolute_url()).status_code == 200


# Lists, CSV and query counts ---------------------------------------------------------------


def _published_meeting_with_decisions(assembly, n):
    meeting = meeting_create(assembly, state=M.MINUTES_PUBLISHED)
    for i in range(n):
        Decision.objects.create(
            meeting=meeting, text=f"=Decision {i}", outcome="adopted", position=i
        )
    return meeting


def test_decisions_csv_lists_published_decisions_only(client, assembly):
    _published_meeting_with_decisions(assembly, 2)
    draft = meeting_create(assembly, state=M.CLOSED)
    Decision.objects.create(meeting=draft, text="Not yet public", outcome="adopted")
    response = client.get(url("decisions-csv", assembly.slug))
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["decision"] for r in rows] == ["'=Decision 0", "'=Decision 1"]  # formulas defused
    assert all(r["outcome"] == "adopted" for r in rows)


def test_lists_do_not_grow_with_their_rows(client, assembly, coordinator, officer):
    # The opinions are adopted by motions of one open meeting, whose minutes list them.
    voting = meeting_create(assembly, state=M.OPEN, chair=coordinator)

    def grow(n):
        meeting = _published_meeting_with_decisions(assembly, n)
        for _i in range(n):
            registration_create(meeting, checked_in=True)
            claim = claim_in_state(Claim.State.CONSULTATION, officer=officer)
            op = services.opinion_draft(actor=coordinator, assembly=assembly, claim=claim, text="x")
            adopt_by_motion(op, chair=coordinator, meeting=voting)
        return meeting

    meeting = grow(2)
    client.force_login(coordinator)
    paths = [
        url("assembly-records", assembly.slug),
        url("meeting-minutes", meeting.pk),
        url("meeting-minutes", voting.pk),
        url("meeting-attendance", meeting.pk),
        assembly.get_absolute_url(),
    ]
    small = {p: queries(client, p) for p in paths}
    grow(6)
    Meeting.objects.filter(pk=meeting.pk).update(title="same")  # the first meeting's pages
    for _i in range(6):
        registration_create(meeting, checked_in=True)
        Decision.objects.create(meeting=meeting, text="More", outcome="noted", position=50)
    large = {p: queries(client, p) for p in paths}
    assert large == small
