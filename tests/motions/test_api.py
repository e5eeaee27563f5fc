"""GET /api/meetings/{id}/motions: closed motions with outcomes; secret votes name nobody."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assemblies.motions import services
from tests.motions.factories import motion_make, setup

pytestmark = pytest.mark.django_db


def _url(meeting):
    return f"/api/meetings/{meeting.pk}/motions"


def _close(s, *, secret, choices=("yes", "yes", "no")):
    motion = motion_make(s["meeting"], s["chair"], secret=secret)
    for voter, choice in zip(s["voters"], choices, strict=False):
        services.vote_cast(actor=voter, motion=motion, choice=choice)
    services.motion_close(actor=s["chair"], motion=motion)
    return motion


def test_closed_motions_with_outcome_tally_and_named_votes(client):
    s = setup(members=3, quorum=50)
    for i, voter in enumerate(s["voters"]):
        voter.display_name = f"Member {i}"
        voter.save(update_fields=["display_name"])
    named = _close(s, secret=False)
    secret = _close(s, secret=True, choices=("no", "no", "yes"))
    motion_make(s["meeting"], s["chair"])  # still open: not listed
    body = client.get(_url(s["meeting"])).json()
    assert body["count"] == 2
    rows = {row["id"]: row for row in body["items"]}
    row = rows[named.pk]
    assert row["outcome"] == "adopted" and row["kind"] == "yes_no_abstain"
    assert row["counts"] == {"yes": 2, "no": 1}
    assert row["voters"] == 3 and row["quorum_needed"] == 2 and row["majority"] == "simple"
    assert sorted((v["name"], v["vote"]) for v in row["named_votes"]) == [
        ("Member 0", "yes"),
        ("Member 1", "yes"),
        ("Member 2", "no"),
    ]
    hidden = rows[secret.pk]
    assert hidden["outcome"] == "rejected" and hidden["named_votes"] is None
    text = client.get(_url(s["meeting"])).content.decode()
    assert text.count("Member 0") == 1  # only in the named motion


def test_query_count_does_not_grow_with_motions(client):
    s = setup(members=3, quorum=0)
    _close(s, secret=False)
    with CaptureQueriesContext(connection) as one:
        client.get(_url(s["meeting"]))
    for _ in range(3):
        _close(s, secret=False)
    with CaptureQueriesContext(connection) as four:
        assert client.get(_url(s["meeting"])).json()["count"] == 4
    assert len(four) == len(one)


def test_unknown_or_hidden_meeting_is_404(client):
    assert client.get("/api/meetings/999999/motions").status_code == 404


def test_a_motion_on_an_opinion_gives_the_opinion_and_whether_it_adopted_it(client):
    from assemblies.records import services as records
    from proposals.models import Claim
    from tests.proposals.factories import claim_in_state

    s = setup(members=3, quorum=0)
    plain = _close(s, secret=False)

    def on_opinion(choices):
        claim = claim_in_state(Claim.State.CONSULTATION)
        opinion = records.opinion_draft(
            actor=s["chair"], assembly=s["assembly"], claim=claim, text="We agree."
        )
        motion = services.motion_create(
            actor=s["chair"], meeting=s["meeting"], title="", opinion=opinion
        )
        services.motion_open(actor=s["chair"], motion=motion)
        for voter, choice in zip(s["voters"], choices, strict=False):
            services.vote_cast(actor=voter, motion=motion, choice=choice)
        services.motion_close(actor=s["chair"], motion=motion)
        return motion, opinion

    carried, adopted = on_opinion(("yes", "yes", "no"))
    with CaptureQueriesContext(connection) as two:
        client.get(_url(s["meeting"]))
    rejected, draft = on_opinion(("no", "no", "yes"))
    with CaptureQueriesContext(connection) as three:
        rows = {row["id"]: row for row in client.get(_url(s["meeting"])).json()["items"]}
    assert len(three) == len(two)
    assert (rows[plain.pk]["opinion"], rows[plain.pk]["opinion_adopted"]) == (None, False)
    assert (rows[carried.pk]["opinion"], rows[carried.pk]["opinion_adopted"]) == (adopted.pk, True)
    assert (rows[rejected.pk]["opinion"], rows[rejected.pk]["opinion_adopted"]) == (draft.pk, False)
    claim = client.get(f"/api/claims/{adopted.claim_id}").json()
    assert claim["formal_opinions"][0]["motion"] == carried.pk
