"""Who hears about a project's progress: its followers and the voters who opted in with their
online ballot, never anyone found by reading ballots; overdue milestones remind the department."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgeting.live.forms import PaperBallotForm
from budgeting.models import Ballot, BallotSelection, Participation
from citizens.models import Notification
from implementation import services
from implementation.models import ImplementationSubscription, Milestone
from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import officer_create, resident_create
from tests.implementation.factories import implementation_create, published_process, winner_create

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


def key_of(html: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)


def _vote(client, user, process, projects, *, opt_in):
    client.force_login(user)
    url = f"/budgeting/{process.pk}/vote/"
    data = {"key": key_of(client.get(url).content.decode()), "projects": [p.pk for p in projects]}
    if opt_in:
        data["follow_progress"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_online_ballot_stores_the_opt_in_apart_from_the_ballot(client):
    process = process_create(budget=100_000)
    park, library = project_create(process, cost=30_000), project_create(process, cost=30_000)
    rita, nico = resident_create(), resident_create()
    html = (client.force_login(rita) or client).get(f"/budgeting/{process.pk}/vote/")
    assert "Tell me how the projects I voted for progress" in html.content.decode()
    _vote(client, rita, process, [park, library], opt_in=True)
    _vote(client, nico, process, [park], opt_in=False)
    assert set(ImplementationSubscription.objects.values_list("user_id", "project_id")) == {
        (rita.pk, park.pk),
        (rita.pk, library.pk),
    }
    # the ballot rows carry no trace of it, and a changed ballot changes the subscriptions
    assert Ballot.objects.count() == 2
    client.force_login(rita)
    html = client.get(f"/budgeting/{process.pk}/vote/?change=1").content.decode()
    assert re.search(r'<input[^>]*name="follow_progress"[^>]*checked', html)
    client.post(
        f"/budgeting/{process.pk}/vote/",
        {"key": key_of(html), "projects": [library.pk], "follow_progress": "on"},
    )
    assert set(ImplementationSubscription.objects.values_list("project_id", flat=True)) == {
        library.pk
    }


def test_the_in_person_ballot_has_no_opt_in():
    assert "follow_progress" not in PaperBallotForm.base_fields


def _messages(user):
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("message", flat=True)
    )


def test_followers_and_opted_in_voters_hear_of_each_milestone_and_no_one_else(monkeypatch):
    officer = officer_create()
    process = published_process()
    impl = implementation_create(officer=officer, process=process, title="Shade for the square")
    project = impl.project
    voter, silent, follower = resident_create(), resident_create(), resident_create()
    services.subscriptions_record(
        user=voter, process=process, project_ids=[project.pk], opted_in=True
    )
    services.subscriptions_record(
        user=silent, process=process, project_ids=[project.pk], opted_in=False
    )
    monkeypatch.setattr(services, "_followers", lambda obj: [follower] if obj == project else [])
    services.implementation_transition(actor=officer, implementation=impl, name="start")
    services.milestone_add(
        actor=officer, implementation=impl, title="Trees planted", due_date=TODAY(), done=True
    )
    for user in (voter, follower):
        assert _messages(user) == [
            "Works have started on “Shade for the square”.",
            "“Shade for the square”: milestone reached: Trees planted",
        ]
    assert _messages(silent) == []
    assert _messages(officer) == []


def test_notifications_never_read_a_ballot(client):
    """The audience comes from the opt-in table: with every ballot and participation gone,
    the voter is still told, and no query touches the ballot tables."""
    officer = officer_create()
    process = process_create(budget=100_000)
    park = project_create(process, cost=30_000)
    rita, nico = resident_create(), resident_create()
    _vote(client, rita, process, [park], opt_in=True)
    _vote(client, nico, process, [park], opt_in=False)  # voted for it, did not opt in
    process.state = "results"
    process.save(update_fields=["state"])
    from budgeting.models import Result, ResultLine

    result = Result.objects.create(
        process=process,
        rule="greedy",
        budget=100_000,
        spent=30_000,
        ballots_counted=2,
        published_at=timezone.now(),
    )
    ResultLine.objects.create(result=result, project=park, votes=2, selected=True, position=1)
    impl = services.implementation_open_project(actor=officer, project=park)
    BallotSelection.objects.all().delete()
    Participation.objects.all().delete()
    Ballot.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        services.milestone_add(
            actor=officer, implementation=impl, title="Benches ordered", due_date=TODAY()
        )
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "budgeting_ballot" not in sql and "budgeting_participation" not in sql
    assert _messages(rita) == ["“" + park.title + "”: new milestone: Benches ordered"]
    assert _messages(nico) == []


def test_overdue_milestones_remind_the_department_once():
    officer = officer_create()
    colleague = officer_create(department=officer.department)
    elsewhere = officer_create()
    impl = implementation_create(officer=officer, department=officer.department)
    late = services.milestone_add(
        actor=officer, implementation=impl, title="Tender", due_date=TODAY() - dt.timedelta(2)
    )
    services.milestone_add(
        actor=officer, implementation=impl, title="Works", due_date=TODAY() + dt.timedelta(9)
    )
    reached = services.milestone_add(
        actor=officer,
        implementation=impl,
        title="Survey",
        due_date=TODAY() - dt.timedelta(5),
        done=True,
    )
    out = io.StringIO()
    call_command("run_deadlines", stdout=out)
    assert "implementation: milestones_overdue=1" in out.getvalue()
    call_command("run_deadlines", stdout=io.StringIO())  # idempotent
    for user in (officer, colleague):
        [message] = _messages(user)
        assert message.startswith("Milestone overdue since ")
        assert message.endswith(f": Tender ({impl.project.title})")
    assert _messages(elsewhere) == []
    assert Milestone.objects.get(pk=reached.pk).overdue_notified_at is None
    assert Milestone.objects.get(pk=late.pk).overdue_notified_at is not None


def test_a_voter_can_stop_hearing(client):
    officer = officer_create()
    process = published_process()
    impl = implementation_create(officer=officer, process=process)
    voter = resident_create()
    services.subscriptions_record(
        user=voter, process=process, project_ids=[impl.project_id], opted_in=True
    )
    client.force_login(voter)
    page = client.get(impl.project.get_absolute_url()).content.decode()
    assert "You asked to be told how this project progresses." in page
    client.post(f"/implementation/subscriptions/{impl.project_id}/cancel/")
    assert not ImplementationSubscription.objects.exists()
    other = winner_create(process)
    assert not ImplementationSubscription.objects.filter(project=other).exists()


def test_followers_of_the_project_and_of_the_accord_are_told_through_the_follows_app():
    from follows.services import follow
    from tests.accords.factories import World

    officer = officer_create()
    impl = implementation_create(officer=officer, title="Benches")
    fan = resident_create()
    follow(fan, impl.project)
    services.implementation_transition(actor=officer, implementation=impl, name="start")
    assert _messages(fan) == ["Works have started on “Benches”."]

    world = World()
    accord = world.active()
    watcher = resident_create()
    follow(watcher, accord)
    followed = services.implementation_open_accord(actor=world.officer, accord=accord)
    services.milestone_add(
        actor=world.officer, implementation=followed, title="Season review", due_date=TODAY()
    )
    assert _messages(watcher) == [f"“{accord}”: new milestone: Season review"]
