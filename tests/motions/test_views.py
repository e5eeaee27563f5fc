"""Pages of meeting motions: who sees what, forms, the tablet's pairing and ballot."""

import pytest
from django.urls import reverse

from assemblies.motions import services
from assemblies.motions.consumers import DEVICE_COOKIE
from assemblies.motions.models import Motion, Participation, RoomTablet, Vote
from tests.motions.factories import motion_make, setup

pytestmark = pytest.mark.django_db


def test_console_is_the_chairs(client):
    s = setup(members=1)
    url = reverse("motions:console", args=[s["meeting"].pk])
    client.force_login(s["voters"][0])
    assert client.get(url).status_code == 403
    client.force_login(s["chair"])
    page = client.get(url)
    assert page.status_code == 200
    assert b"ws/motions/chair/" in page.content


def test_the_chair_drafts_opens_and_closes_a_motion(client):
    s = setup(members=1)
    client.force_login(s["chair"])
    meeting = s["meeting"]
    bad = client.post(reverse("motions:create", args=[meeting.pk]), {"title": "", "kind": "x"})
    assert bad.status_code == 400
    options = client.post(
        reverse("motions:create", args=[meeting.pk]),
        {"title": "Day", "kind": "options", "options": "Monday"},
    )
    assert options.status_code == 400 and "at least two" in options.content.decode()
    client.post(
        reverse("motions:create", args=[meeting.pk]),
        {"title": "Garden rules", "kind": "yes_no_abstain"},
    )
    motion = Motion.objects.get(title="Garden rules")
    assert client.get(reverse("motions:open", args=[motion.pk])).status_code == 200  # asks
    client.post(reverse("motions:open", args=[motion.pk]), {"confirm": "1"})
    motion.refresh_from_db()
    assert motion.is_open
    client.post(reverse("motions:close", args=[motion.pk]), {"confirm": "1"})
    motion.refresh_from_db()
    assert motion.is_closed and motion.outcome == "no_quorum"


def test_a_member_votes_with_the_form_and_with_fetch(client):
    s = setup(members=2)
    motion = motion_make(s["meeting"], s["chair"])
    a, b = s["voters"]
    client.force_login(a)
    page = client.get(reverse("motions:vote-page", args=[s["meeting"].pk]))
    assert page.status_code == 200 and f'data-testid="ballot-{motion.pk}"' in page.content.decode()
    response = client.post(reverse("motions:vote", args=[motion.pk]), {"choice": "yes"})
    assert response.status_code == 302
    again = client.post(
        reverse("motions:vote", args=[motion.pk]), {"choice": "no"}, HTTP_ACCEPT="application/json"
    )
    assert again.status_code == 400 and "already voted" in again.json()["message"]
    client.force_login(b)
    ok = client.post(
        reverse("motions:vote", args=[motion.pk]), {"choice": "no"}, HTTP_ACCEPT="application/json"
    )
    assert ok.json()["ok"] is True
    client.force_login(s["outsider"])
    refused = client.post(
        reverse("motions:vote", args=[motion.pk]), {"choice": "no"}, HTTP_ACCEPT="application/json"
    )
    assert refused.status_code == 403
    assert Participation.objects.filter(motion=motion).count() == 2


def test_projector_and_results_are_public_drafts_are_not(client):
    s = setup(members=1)
    draft = motion_make(s["meeting"], s["chair"], open_it=False)
    assert client.get(reverse("motions:projector", args=[s["meeting"].pk])).status_code == 200
    assert client.get(reverse("motions:detail", args=[draft.pk])).status_code == 404
    motion = motion_make(s["meeting"], s["chair"])
    services.vote_cast(actor=s["voters"][0], motion=motion, choice="yes")
    services.motion_close(actor=s["chair"], motion=motion)
    page = client.get(reverse("motions:detail", args=[motion.pk]))
    assert page.status_code == 200 and str(s["voters"][0]) in page.content.decode()


def test_a_room_tablet_pairs_and_casts_the_ballot_it_was_handed(client):
    s = setup(members=1)
    motion = motion_make(s["meeting"], s["chair"])
    code = services.pairing_code(actor=s["chair"], meeting=s["meeting"])
    assert client.get(reverse("motions:kiosk")).status_code == 200  # the pairing form
    wrong = client.post(reverse("motions:kiosk-pair"), {"code": "AAAA-AAAA"})
    assert wrong.status_code == 400
    paired = client.post(reverse("motions:kiosk-pair"), {"code": code, "label": "Left"})
    assert paired.status_code == 302 and DEVICE_COOKIE in paired.cookies
    assert paired.cookies[DEVICE_COOKIE]["httponly"]
    tablet = RoomTablet.objects.get()
    idle = client.get(reverse("motions:kiosk"))
    assert b"kiosk-idle" in idle.content
    services.token_issue(actor=s["chair"], motion=motion, tablet=tablet, user=s["voters"][0])
    page = client.get(reverse("motions:kiosk")).content.decode()
    assert "kiosk-member" in page
    token = page.split('name="token" value="')[1].split('"')[0]
    client.post(reverse("motions:kiosk-vote"), {"choice": "abstain", "token": token})
    assert Vote.objects.get(motion=motion).choice == "abstain"
    replay = client.post(
        reverse("motions:kiosk-vote"),
        {"choice": "yes", "token": token},
        HTTP_ACCEPT="application/json",
    )
    assert replay.status_code == 400
    assert Participation.objects.filter(motion=motion).count() == 1


def test_snapshots_and_the_console_do_not_grow_queries_with_motions(
    client, django_assert_max_num_queries
):
    from assemblies.motions import live

    s = setup(members=3)
    for _ in range(2):
        motion = motion_make(s["meeting"], s["chair"])
        services.vote_cast(actor=s["voters"][0], motion=motion, choice="yes")
    client.force_login(s["chair"])
    url = reverse("motions:console", args=[s["meeting"].pk])
    client.get(url)
    with django_assert_max_num_queries(8):
        live.meeting_snapshot(s["meeting"].pk)
    with django_assert_max_num_queries(11):
        live.chair_snapshot(s["meeting"].pk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        motion = motion_make(s["meeting"], s["chair"])
        services.vote_cast(actor=s["voters"][1], motion=motion, choice="no")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_meeting_page_shows_the_motions_panel(client):
    s = setup(members=1)
    motion = motion_make(s["meeting"], s["chair"])
    page = client.get(s["meeting"].get_absolute_url()).content.decode()
    assert motion.title in page and "motions-vote-link" in page
    assert "Motions console" not in page
    client.force_login(s["chair"])
    assert "Motions console" in client.get(s["meeting"].get_absolute_url()).content.decode()
