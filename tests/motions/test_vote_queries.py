"""The vote path's queries, counted so that they cannot grow back (bench/motion_vote.py gives
the CPU they cost), and the snapshot built for the viewers: what it shows, in a fixed number
of queries."""

import pytest
from django.urls import reverse

from assemblies.motions import live, services
from assemblies.motions.consumers import DEVICE_COOKIE
from assemblies.motions.models import MotionKind, Participation
from tests.motions.factories import motion_make, register, setup

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}

# A member's vote (POST /motions/<id>/vote/): the session and the user (the middleware), then
# the service's transaction: its savepoint (a test's transaction is around it; BEGIN in
# production), one read of the motion locked with its meeting and the voter's facts for the
# policy (role, registration, vote), the participation, the vote, the release (COMMIT).
MEMBER_VOTE_QUERIES = 7
# A room tablet's vote (POST /motions/kiosk/vote/): no session nor user; the tablet with its
# token, the motion locked with the member's facts, the token used, the participation, the
# vote; savepoint and release.
TABLET_VOTE_QUERIES = 7


@pytest.fixture
def meeting():
    s = setup(members=3)
    motion = motion_make(s["meeting"], s["chair"])
    code = services.pairing_code(actor=s["chair"], meeting=s["meeting"])
    tablet, credential = services.tablet_pair(code=code)
    services.token_issue(actor=s["chair"], motion=motion, tablet=tablet, user=s["voters"][1])
    token = services.kiosk_state(tablet)["token"]["token"]
    return s, motion, credential, token


def test_a_members_vote_takes_seven_queries(client, meeting, django_assert_num_queries):
    s, motion, _credential, _token = meeting
    client.force_login(s["voters"][0])
    url = reverse("motions:vote", args=[motion.pk])
    with django_assert_num_queries(MEMBER_VOTE_QUERIES):
        response = client.post(url, {"choice": "yes"}, **JSON)
    assert response.json()["ok"] is True
    # A refusal reads nothing more: the policy answers from the same read (then the
    # savepoint is rolled back and released instead of the two writes).
    with django_assert_num_queries(6):
        again = client.post(url, {"choice": "no"}, **JSON)
    assert again.status_code == 400 and "already voted" in again.json()["message"]
    assert Participation.objects.filter(motion=motion).count() == 1


def test_a_room_tablets_vote_takes_seven_queries(client, meeting, django_assert_num_queries):
    _s, motion, credential, token = meeting
    client.cookies[DEVICE_COOKIE] = credential
    url = reverse("motions:kiosk-vote")
    with django_assert_num_queries(TABLET_VOTE_QUERIES):
        response = client.post(url, {"choice": "no", "token": token}, **JSON)
    assert response.json()["ok"] is True
    replay = client.post(url, {"choice": "yes", "token": token}, **JSON)
    assert replay.status_code == 400
    assert Participation.objects.filter(motion=motion).count() == 1


def test_a_missing_motion_is_404_with_and_without_javascript(client, meeting):
    s, _motion, _credential, _token = meeting
    client.force_login(s["voters"][0])
    url = reverse("motions:vote", args=[999999])
    assert client.post(url, {"choice": "yes"}, **JSON).status_code == 404
    assert client.post(url, {"choice": "yes"}).status_code == 404


def test_the_form_vote_goes_back_to_the_meetings_voting_page(client, meeting):
    s, motion, _credential, _token = meeting
    client.force_login(s["voters"][0])
    back = reverse("motions:vote-page", args=[s["meeting"].pk])
    url = reverse("motions:vote", args=[motion.pk])
    assert client.post(url, {"choice": "yes"})["Location"] == back
    assert client.post(url, {"choice": "no"})["Location"] == back  # refused: the same page


def test_the_snapshot_counts_every_kind_of_motion_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    s = setup(members=3)
    a, b, c = s["voters"]
    yes_no = motion_make(s["meeting"], s["chair"])
    with django_assert_num_queries(4):  # the meeting, its motions, their votes, the check-ins
        live.meeting_snapshot(s["meeting"].pk)
    options = motion_make(
        s["meeting"], s["chair"], kind=MotionKind.OPTIONS, options=("North", "South")
    )
    consent = motion_make(s["meeting"], s["chair"], kind=MotionKind.CONSENT)
    closed = motion_make(s["meeting"], s["chair"], secret=True)
    motion_make(s["meeting"], s["chair"], open_it=False)  # a draft: not on the projector
    north = options.options.get(label="North")
    for voter in (a, b):
        services.vote_cast(actor=voter, motion=yes_no, choice="yes")
        services.vote_cast(actor=voter, motion=options, choice="option", option_id=north.pk)
        services.vote_cast(actor=voter, motion=closed, choice="no")
    services.vote_cast(actor=c, motion=yes_no, choice="no")
    services.vote_cast(actor=a, motion=consent, choice="consent")
    services.vote_cast(actor=b, motion=consent, choice="object", reason="Too vague.")
    services.motion_close(actor=s["chair"], motion=closed)
    late = register(s["meeting"], s["outsider"])  # registered, not checked in: not counted
    assert late.checked_in_at is None
    # + the options of the option motion, + the objections (with their authors) of the
    # consent motion: still six queries however many motions and votes.
    with django_assert_num_queries(6):
        data, _due = live.meeting_snapshot(s["meeting"].pk)
    rows = {row["id"]: row for row in data["motions"]}
    assert set(rows) == {yes_no.pk, options.pk, consent.pk, closed.pk}
    for motion in (yes_no, options, consent, closed):
        assert rows[motion.pk]["voters"] == Participation.objects.filter(motion=motion).count()
    assert {c["key"]: c["votes"] for c in rows[yes_no.pk]["choices"]} == {
        "yes": 2,
        "no": 1,
        "abstain": 0,
    }
    assert [(o["label"], o["votes"]) for o in rows[options.pk]["options"]] == [
        ("North", 2),
        ("South", 0),
    ]
    assert [(o["member"], o["reason"]) for o in rows[consent.pk]["objections"]] == [
        (b.get_full_name(), "Too vague.")
    ]
    assert rows[closed.pk]["state"] == "closed" and rows[closed.pk]["voters"] == 2
    assert rows[yes_no.pk]["options"] == [] and rows[yes_no.pk]["objections"] == []
    assert data["checked_in"] == s["meeting"].checked_in_users().count() == 4
    chair_data, _due = live.chair_snapshot(s["meeting"].pk)
    assert len(chair_data["motions"]) == 5  # with the draft


@pytest.mark.parametrize("kind", ["hybrid", "in_person", "online"])
def test_the_votes_one_read_gives_the_policy_the_facts_it_reads_itself(kind):
    """The facts read with the motion's lock (services._lock_for_vote) and the ones the
    policy reads itself (rules.voter_facts) agree for every kind of person, so every refusal
    is the same on the vote path as on the pages."""
    from django.db import transaction

    from assemblies.models import (
        Membership,
        MembershipState,
        Registration,
        RegistrationState,
        Role,
    )
    from assemblies.motions.models import Motion
    from assemblies.motions.rules import voter_facts, voting_refusal
    from tests.motions.factories import member_make

    s = setup(members=2, kind=kind)
    motion = motion_make(s["meeting"], s["chair"])
    voted, fresh = s["voters"]
    services.vote_cast(actor=voted, motion=motion, choice="yes")
    registered = member_make(s["assembly"])
    register(s["meeting"], registered)
    online = member_make(s["assembly"])
    joined = register(s["meeting"], online)
    joined.attended_online = True
    joined.save()
    absent = member_make(s["assembly"])
    left = member_make(s["assembly"])
    Membership.objects.filter(user=left).update(state=MembershipState.LEFT)
    register(s["meeting"], left, checked_in=True)
    requested = member_make(s["assembly"])
    Membership.objects.filter(user=requested).update(state=MembershipState.REQUESTED)
    register(s["meeting"], requested, checked_in=True)
    cancelled = member_make(s["assembly"])
    register(s["meeting"], cancelled)
    Registration.objects.filter(user=cancelled).update(state=RegistrationState.CANCELLED)
    coordinator = member_make(s["assembly"], Role.COORDINATOR)
    register(s["meeting"], coordinator, checked_in=True)
    people = [
        voted,
        fresh,
        registered,
        online,
        absent,
        left,
        requested,
        cancelled,
        coordinator,
        s["chair"],
        s["observer"],
        s["outsider"],
    ]
    verdicts = set()
    for person in people:
        plain = Motion.objects.get(pk=motion.pk)
        with transaction.atomic():
            locked = services._lock_for_vote(motion.pk, person.pk)
        assert voter_facts(person, locked).role == voter_facts(person, plain).role
        for in_room in (False, True):
            expected = voting_refusal(person, plain, in_room=in_room)
            assert voting_refusal(person, locked, in_room=in_room) == expected, (person, in_room)
            verdicts.add((expected.allowed, expected.reason))
    assert len(verdicts) >= 4  # allowed, not a member, an observer, already voted, not present
