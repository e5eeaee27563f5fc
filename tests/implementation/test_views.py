"""Pages, CSV and API of implementation tracking: content, filters, refusals, query counts."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgeting.models import Project, ResultLine
from implementation import services
from implementation.models import Implementation
from tests.accords.factories import World
from tests.citizens.factories import officer_create, resident_create
from tests.implementation.factories import (
    implementation_create,
    png,
    published_process,
    winner_create,
)

pytestmark = pytest.mark.django_db
S = Implementation.State
TODAY = dt.date.today


def _many(process, n, officer):
    """n funded projects, every other one tracked with a milestone, some placed on the map."""
    result = process.results.get()
    projects = Project.objects.bulk_create(
        [
            Project(
                process=process,
                title=f"Project {i}",
                cost=1000 + i,
                district="Centro" if i % 2 else "Navile",
                state=Project.State.FEASIBLE,
            )
            for i in range(n)
        ]
    )
    ResultLine.objects.bulk_create(
        [
            ResultLine(result=result, project=p, votes=3, selected=True, position=i + 1)
            for i, p in enumerate(projects)
        ]
    )
    impls = Implementation.objects.bulk_create(
        [
            Implementation(
                project=p,
                budgeted_cost=p.cost,
                department=officer.department,
                latitude=44.49 if i % 3 == 0 else None,
                longitude=11.34 if i % 3 == 0 else None,
            )
            for i, p in enumerate(projects)
            if i % 2 == 0
        ]
    )
    from implementation.models import Milestone

    Milestone.objects.bulk_create(
        [Milestone(implementation=impl, title="Tender", due_date=TODAY()) for impl in impls]
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path",
    [
        "/budgeting/{pk}/implementation/",
        "/budgeting/{pk}/implementation/?state=planned&district=Centro",
        "/budgeting/{pk}/implementation.csv",
        "/api/processes/{pk}/implementation",
        "/budgeting/{pk}/projects/",
    ],
)
def test_query_counts_do_not_grow_with_the_projects(client, path):
    officer = officer_create()
    small, large = published_process(), published_process()
    _many(small, 10, officer)
    _many(large, 1000, officer)
    assert _queries(client, path.format(pk=small.pk)) == _queries(client, path.format(pk=large.pk))


def test_the_public_page_lists_filters_and_maps_the_winners(client):
    officer = officer_create()
    process = published_process()
    going = implementation_create(
        officer=officer, process=process, title="Shade", district="Centro"
    )
    services.implementation_update(
        actor=officer,
        implementation=going,
        progress=40,
        latitude=44.5,
        longitude=11.3,
    )
    services.implementation_transition(actor=officer, implementation=going, name="start")
    implementation_create(officer=officer, process=process, title="Benches", district="Navile")
    winner_create(process, title="Untracked fountain", district="Navile")
    winner_create(process, title="The loser", selected=False)
    url = f"/budgeting/{process.pk}/implementation/"
    html = client.get(url).content.decode()
    for title in ("Shade", "Benches", "Untracked fountain"):
        assert title in html
    assert "The loser" not in html
    assert "In progress" in html and "Not tracked yet" in html
    assert '"lat": 44.5' in html  # the map's points (json_script)
    html = client.get(url + "?state=in_progress").content.decode()
    assert "Shade" in html and "Benches" not in html
    html = client.get(url + "?district=Navile").content.decode()
    assert "Benches" in html and "Shade" not in html
    html = client.get(url + "?state=untracked").content.decode()
    assert "Untracked fountain" in html and "Benches" not in html
    assert client.get(url + "?state=bogus&page=zzz").status_code == 200


def test_the_csv_is_open_data_with_formulas_defused(client):
    officer = officer_create()
    process = published_process()
    impl = implementation_create(officer=officer, process=process, title="=HYPERLINK(1)")
    services.expense_add(
        actor=officer, implementation=impl, amount=services.Decimal("12.50"), spent_on=TODAY()
    )
    response = client.get(f"/budgeting/{process.pk}/implementation.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["title"] == "'=HYPERLINK(1)"
    assert (rows[0]["status"], rows[0]["spent"], rows[0]["currency"]) == ("planned", "12.50", "EUR")


def test_a_process_before_its_results_shows_nothing(client):
    from tests.budgeting.factories import process_create

    process = process_create()
    html = client.get(f"/budgeting/{process.pk}/implementation/").content.decode()
    assert "The results are not published yet" in html
    response = client.get(f"/api/processes/{process.pk}/implementation")
    assert response.json() == {"process_id": process.pk, "published": False, "projects": []}


def test_the_api_gives_status_progress_and_milestones(client):
    officer = officer_create()
    process = published_process()
    impl = implementation_create(officer=officer, process=process, title="Shade")
    services.milestone_add(actor=officer, implementation=impl, title="Tender", due_date=TODAY())
    data = client.get(f"/api/processes/{process.pk}/implementation").json()
    [project] = data["projects"]
    assert project["implementation"]["status"] == "planned"
    assert project["implementation"]["milestones"][0]["title"] == "Tender"
    assert client.get("/api/processes/999999/implementation").status_code == 404


def test_the_project_page_shows_the_timeline_and_the_status_next_to_funded(client):
    officer = officer_create()
    process = published_process()
    impl = implementation_create(officer=officer, process=process, title="Shade")
    services.implementation_transition(actor=officer, implementation=impl, name="start")
    services.milestone_add(
        actor=officer,
        implementation=impl,
        title="Trees planted",
        due_date=TODAY(),
        done=True,
        photos=[(png(), "Three young lime trees.")],
    )
    html = client.get(impl.project.get_absolute_url()).content.decode()
    assert 'id="implementation"' in html
    assert "Funded" in html and "In progress" in html
    assert "Trees planted" in html and 'alt="Three young lime trees."' in html
    photo = impl.milestones.get().photos.get()
    response = client.get(photo.get_absolute_url())
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    html = client.get(f"/budgeting/{process.pk}/projects/").content.decode()
    assert "In progress" in html and "0% done" in html
    html = client.get(f"/budgeting/{process.pk}/").content.decode()
    assert f"/budgeting/{process.pk}/implementation/" in html


def test_the_accord_page_shows_its_implementation_and_its_api(client):
    world = World()
    accord = world.active()
    client.force_login(world.officer)
    html = client.get(accord.get_absolute_url()).content.decode()
    assert "Start tracking the implementation" in html
    response = client.post(f"/implementation/open/accord/{accord.pk}/")
    impl = Implementation.objects.get(accord=accord)
    assert response.url == f"/implementation/{impl.pk}/"
    services.milestone_add(
        actor=world.officer, implementation=impl, title="Season review", due_date=TODAY()
    )
    client.logout()
    html = client.get(accord.get_absolute_url()).content.decode()
    assert "Season review" in html and "Start tracking" not in html
    data = client.get(f"/api/accords/{accord.pk}/implementation").json()
    assert data["milestones"][0]["title"] == "Season review"


def test_officers_update_from_the_workspace_with_errors_next_to_fields(client):
    officer = officer_create()
    impl = implementation_create(officer=officer, department=officer.department)
    url = f"/implementation/{impl.pk}/"
    client.force_login(officer)
    response = client.post(url, {"form": "progress", "progress": "150", "notes": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field has-error"' in html and "less than or equal to 100" in html
    response = client.post(
        url,
        {
            "form": "milestone",
            "title": "Site cleared",
            "due_date": TODAY().isoformat(),
            "photo": png(),
            "alt_text": "",
        },
    )
    assert response.status_code == 400 and "Describe what the photo shows." in (
        response.content.decode()
    )
    response = client.post(
        url,
        {
            "form": "milestone",
            "title": "Site cleared",
            "due_date": TODAY().isoformat(),
            "done": "on",
            "photo": png(),
            "alt_text": "The cleared site.",
        },
    )
    assert response.status_code == 302
    milestone = impl.milestones.get()
    assert milestone.photos.count() == 1 and milestone.is_done
    client.post(f"/implementation/{impl.pk}/status/start/")
    response = client.post(
        url, {"form": "expense", "amount": "100.00", "spent_on": TODAY().isoformat()}
    )
    assert response.status_code == 302
    impl.refresh_from_db()
    assert (impl.state, impl.spent) == (S.IN_PROGRESS, services.Decimal("100.00"))
    # someone else's department: the page is readable, changes are refused
    client.force_login(officer_create())
    assert client.get(url).status_code == 200
    assert client.post(url, {"form": "progress", "progress": "5"}).status_code == 403
    client.force_login(resident_create())
    assert client.get(url).status_code == 403


def test_cancelling_asks_first_and_needs_reasons(client):
    officer = officer_create()
    impl = implementation_create(officer=officer, department=officer.department)
    client.force_login(officer)
    url = f"/implementation/{impl.pk}/cancel/"
    html = client.get(url).content.decode()
    assert "cannot be resumed" in html
    assert client.post(url, {"reason": "", "confirm": "on"}).status_code == 400
    assert client.post(url, {"reason": "No permit."}).status_code == 400  # not ticked
    impl.refresh_from_db()
    assert impl.state == S.PLANNED
    response = client.post(url, {"reason": "No permit.", "confirm": "on"})
    assert response.status_code == 302
    impl.refresh_from_db()
    assert (impl.state, impl.state_reason) == (S.CANCELLED, "No permit.")
    response = client.post(f"/implementation/{impl.pk}/status/start/", follow=True)
    assert "You cannot start the works" in response.content.decode()


def test_the_workspace_lists_what_the_department_follows(client):
    officer = officer_create()
    mine = implementation_create(officer=officer, department=officer.department, title="Mine")
    implementation_create(officer=officer, department=officer_create().department, title="Not")
    services.milestone_add(
        actor=officer,
        implementation=mine,
        title="Late",
        due_date=timezone.localdate() - dt.timedelta(days=3),
    )
    client.force_login(officer)
    html = client.get("/implementation/").content.decode()
    assert "Mine" in html and ">Not<" not in html
    html = client.get("/implementation/?overdue=1").content.decode()
    assert "Mine" in html
    html = client.get("/workspace/").content.decode()
    assert 'data-testid="panel-implementation"' in html
    assert 'data-testid="count-implementation-overdue"' in html


def test_the_dashboard_counts_are_the_rows_of_the_lists_they_link_to(client):
    officer = officer_create()
    late = implementation_create(officer=officer, department=officer.department)
    implementation_create(officer=officer, department=officer.department)
    services.milestone_add(
        actor=officer,
        implementation=late,
        title="Late",
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(officer)
    html = client.get("/workspace/").content.decode()
    for key, expected in (("implementation-planned", 2), ("implementation-overdue", 1)):
        match = re.search(
            rf'<a href="([^"]+)" data-testid="count-{key}"><span[^>]*data-count="(\d+)"', html
        )
        url, count = match.group(1), int(match.group(2))
        assert count == expected
        assert client.get(url).context["page"].paginator.count == count


def test_the_page_speaks_italian(client):
    officer = officer_create()
    process = published_process(currency="EUR")
    impl = implementation_create(officer=officer, process=process, cost=1234)
    services.implementation_transition(actor=officer, implementation=impl, name="start")
    html = client.get(
        f"/budgeting/{process.pk}/implementation/", HTTP_ACCEPT_LANGUAGE="it"
    ).content.decode()
    assert "Realizzazione dei progetti finanziati" in html
    assert "In corso" in html and re.search(r"1\.234,00\s€", html)


def test_an_implementation_id_beyond_the_database_integers_is_not_found(client):
    # 20 digits reach the views through <int:pk>; a lookup on the foreign key column overflowed
    # SQLite's integers (OverflowError, a 500) instead of finding nothing.
    officer = officer_create()
    impl = implementation_create(officer=officer, department=officer.department)
    milestone = services.milestone_add(
        actor=officer, implementation=impl, title="Tender", due_date=TODAY()
    )
    client.force_login(officer)
    huge = "99999999999999999999"
    base = f"/implementation/{huge}/milestones/{milestone.pk}"
    assert client.get(f"{base}/photo/").status_code == 404
    assert client.post(f"{base}/done/").status_code == 404
    milestone.refresh_from_db()
    assert not milestone.is_done
