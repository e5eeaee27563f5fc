"""The follow button, the preferences page and "My activity" (contents, query counts)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgeting import services as pb
from citizens.models import Notification
from follows.models import Follow
from follows.preferences import frequencies_of
from follows.services import follow, is_following
from proposals import services as claims
from proposals.models import Claim
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import PASSWORD, resident_create
from tests.proposals.factories import claim_in_state

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)
    return client


def toggle_url(obj):
    return reverse("follows:toggle", args=[obj._meta.label_lower, obj.pk])


# ---- the follow button ------------------------------------------------------------------


def test_the_claim_page_shows_a_follow_button_with_the_count(client):
    claim = claim_in_state(Claim.State.CONSULTATION)  # its author follows it
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="follow-form"' in page and "1 follower" in page


def test_follow_then_unfollow_with_plain_posts(client):
    claim = claim_in_state(Claim.State.CONSULTATION)
    reader = resident_create()
    login(client, reader)
    response = client.post(toggle_url(claim), {"action": "follow", "next": "/claims/"})
    assert response.status_code == 302 and response["Location"] == "/claims/"
    assert is_following(reader, claim)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="unfollow"' in page and "2 followers" in page
    client.post(toggle_url(claim), {"action": "unfollow"})
    assert not is_following(reader, claim)


def test_follow_needs_login_a_visible_object_and_a_valid_action(client):
    draft = claim_in_state(Claim.State.DRAFT)
    public = claim_in_state(Claim.State.CONSULTATION)
    anonymous = client.post(toggle_url(public), {"action": "follow"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    login(client, resident_create())
    assert client.post(toggle_url(draft), {"action": "follow"}).status_code == 404
    assert client.post(toggle_url(public), {"action": "subscribe"}).status_code == 400
    assert client.get(toggle_url(public)).status_code == 405
    assert client.post("/follow/citizens.user/1/", {"action": "follow"}).status_code == 404
    assert client.post("/follow/nothing.here/1/", {"action": "follow"}).status_code == 404
    assert (
        client.post(toggle_url(public), {"action": "follow", "next": "https://evil.example/"})[
            "Location"
        ]
        == public.get_absolute_url()
    )


def test_the_button_is_on_accord_process_and_project_pages(client):
    from tests.accords.factories import World

    accord = World().active()
    process = process_create()
    project = project_create(process)
    for obj in (accord, process, project):
        page = client.get(obj.get_absolute_url())
        assert page.status_code == 200
        assert 'data-testid="follow-form"' in page.content.decode(), obj


# ---- preferences --------------------------------------------------------------------------


def test_preferences_page_saves_every_kind(client):
    user = resident_create()
    login(client, user)
    page = client.get(reverse("follows:preferences"))
    assert page.status_code == 200 and "<legend>" in page.content.decode()
    data = {kind: "immediate" for kind in frequencies_of(user)}
    data |= {"claim": "daily", "comment": "weekly", "budgeting": "off"}
    assert client.post(reverse("follows:preferences"), data).status_code == 302
    chosen = frequencies_of(user)
    assert (chosen["claim"], chosen["comment"], chosen["budgeting"]) == ("daily", "weekly", "off")
    bad = client.post(reverse("follows:preferences"), data | {"claim": "hourly"})
    assert bad.status_code == 400 and frequencies_of(user)["claim"] == "daily"


def test_my_pages_need_login(client):
    for name in ("follows:activity", "follows:list", "follows:preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ---- My activity --------------------------------------------------------------------------


def fill(me, n):
    """n claims of mine, n supports, n follows, n notifications, a vote."""
    for _ in range(n):
        claim_in_state(Claim.State.SUBMITTED, author=me)
        other = claim_in_state(Claim.State.CONSULTATION)
        claims.support_add(user=me, claim=other)
        follow(me, claim_in_state(Claim.State.CONSULTATION))
        Notification.objects.create(user=me, verb="claim.decided", message="Something.")
    process = process_create(allow_ballot_change=True)
    project = project_create(process, title="Secret choice")
    pb.ballot_cast(user=me, process=process, project_ids=[project.pk], idempotency_key=key())
    return process


def activity_queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("follows:activity"))
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_my_activity_gathers_everything_and_never_shows_the_ballot(client):
    me = resident_create()
    process = fill(me, 2)
    login(client, me)
    _n, page = activity_queries(client)
    for section in ("claims", "supports", "accords", "ballots", "follows", "notifications"):
        assert f'data-testid="activity-{section}"' in page
    assert reverse("proposals:claim-mine") in page
    assert reverse("accords:accord-mine") in page
    assert reverse("budgeting:ballot", args=[process.pk]) in page
    assert "You voted" in page and "See or change my ballot" in page
    assert "Secret choice" not in page  # whether I voted, never what
    assert page.count('data-testid="followed"') >= 2


def test_my_activity_costs_the_same_queries_whatever_i_did(client):
    few, many = resident_create(), resident_create()
    fill(few, 1)
    fill(many, 8)
    login(client, few)
    small, _ = activity_queries(client)
    client.logout()
    login(client, many)
    large, _ = activity_queries(client)
    assert small == large
    assert large <= 18, large


def test_the_follow_list_paginates_and_unfollows(client):
    me = resident_create()
    for _ in range(3):
        follow(me, claim_in_state(Claim.State.CONSULTATION))
    login(client, me)
    page = client.get(reverse("follows:list")).content.decode()
    assert page.count('data-testid="unfollow-row"') == 3
    first = Follow.objects.filter(user=me).first()
    client.post(
        reverse("follows:toggle", args=["proposals.claim", first.object_id]),
        {"action": "unfollow", "next": reverse("follows:list")},
    )
    assert Follow.objects.filter(user=me).count() == 2


def test_profile_and_header_link_my_activity(client):
    login(client, resident_create())
    page = client.get(reverse("citizens:profile")).content.decode()
    assert 'data-testid="profile-activity-link"' in page and 'data-testid="activity-link"' in page


def test_the_follow_list_costs_the_same_queries_for_1_or_6_follows(client):
    few, many = resident_create(), resident_create()
    follow(few, claim_in_state(Claim.State.CONSULTATION))
    follow(few, process_create())
    for _ in range(5):
        follow(many, claim_in_state(Claim.State.CONSULTATION))
    follow(many, process_create())
    counts = []
    for user in (few, many):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("follows:list")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
