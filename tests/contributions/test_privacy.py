"""Nobody is named in the open data, the API or the public pages unless they opted in: every
export and API answer is fetched and searched for the names (and addresses) of volunteers who
did not opt in."""

import pytest
from django.urls import reverse

from contributions import services
from tests.citizens.factories import resident_create
from tests.contributions.factories import active_world, confirmed_hours, shift_create, today

pytestmark = pytest.mark.django_db

SECRET = "Zygmunt Secretvolunteer"
OPEN = "Olga Openvolunteer"


def _world_with_volunteers():
    world = active_world()
    secret = world.member
    secret.display_name = SECRET
    secret.save(update_fields=["display_name"])
    group = world.group
    opened = resident_create(display_name=OPEN)
    group.memberships.create(user=opened)
    confirmed_hours(world, "2", person=secret)
    confirmed_hours(world, "3", person=opened, show_name=True)
    goods = services.log_goods(
        actor=secret, accord=world.accord, on=today(), description="Seeds", value="12"
    )
    services.confirm(actor=world.rep, entry=goods)
    services.reverse(actor=world.rep, entry=goods, reason="Counted twice")
    # A resident from a shift, not opted in, checked out: a confirmed entry.
    walk_in = resident_create(display_name="Quentin Quietwalkin")
    shift = shift_create(world)
    signup = services.sign_up(actor=walk_in, shift=shift)
    services.check_in(actor=world.rep, signup=signup)
    services.check_out(actor=world.rep, signup=signup)
    item = world.accord.current_version.support_items.first()
    support = services.log_support(actor=world.rep, item=item, on=today())
    services.confirm(actor=world.officer, entry=support)
    return world, [secret, walk_in], shift


def _every_public_answer(client, world, shift) -> dict[str, str]:
    accord = world.accord
    urls = [
        reverse("contributions:numbers"),
        reverse("contributions:export-csv"),
        reverse("contributions:export-json"),
        reverse("contributions:export-valueflows"),
        reverse("contributions:accord-valueflows", args=[accord.pk]),
        reverse("contributions:accord-log", args=[accord.pk]),
        reverse("contributions:accord-shifts", args=[accord.pk]),
        shift.get_absolute_url(),
        reverse("contributions:shift-ics", args=[shift.pk]),
        f"/api/accords/{accord.pk}/contributions",
        f"/api/accords/{accord.pk}",
        "/api/accords",
        accord.get_absolute_url(),
        *(e.get_absolute_url() for e in accord.contributions.filter(state="confirmed")),
    ]
    answers = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        answers[url] = body.decode()
    return answers


def test_no_export_or_api_answer_names_a_volunteer_who_did_not_opt_in(client):
    world, hidden, shift = _world_with_volunteers()
    answers = _every_public_answer(client, world, shift)
    for url, body in answers.items():
        for person in hidden:
            assert person.display_name not in body, url
            assert person.email not in body, url
    # The volunteer who opted in is named where entries are listed.
    for url in (
        reverse("contributions:export-valueflows"),
        f"/api/accords/{world.accord.pk}/contributions",
        reverse("contributions:accord-log", args=[world.accord.pk]),
    ):
        assert OPEN in answers[url], url
    # Logged in as someone unrelated: still nobody named.
    client.force_login(world.outsider)
    for url, body in _every_public_answer(client, world, shift).items():
        for person in hidden:
            assert person.display_name not in body, url
