"""Pages: the ballot without JavaScript, ideas, officer actions, query counts."""

import re

import pytest
from django.core import mail

from budgeting.models import Ballot, Participation, Process, Project
from tests.budgeting.factories import key, process_create, process_form_data, project_create
from tests.citizens.factories import officer_create, resident_create, user_create

pytestmark = pytest.mark.django_db
S = Process.State


def key_of(html: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]+)"', html).group(1)


@pytest.fixture
def process():
    return process_create(budget=50_000)


def test_the_ballot_works_without_javascript(client, process):
    a = project_create(process, cost=30_000, title="Park")
    b = project_create(process, cost=30_000, title="Library")
    client.force_login(resident_create())
    url = f"/budgeting/{process.pk}/vote/"
    html = client.get(url).content.decode()
    assert "Selected: €0.00 of €50,000.00" in html and "€50,000.00 left" in html
    k = key_of(html)
    # over the budget: refused with a clear message, choices kept
    response = client.post(url, {"key": k, "projects": [a.pk, b.pk]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "€10,000.00 over the budget of €50,000.00" in html
    assert "Selected: €60,000.00 of €50,000.00" in html
    assert html.count("checked") == 2
    response = client.post(url, {"key": k, "projects": [a.pk]}, follow=True)
    assert "Your ballot was recorded" in response.content.decode()
    assert "Your ballot is counted" in response.content.decode()
    # a double submission (same key) is harmless
    response = client.post(url, {"key": k, "projects": [a.pk]}, follow=True)
    assert "Your ballot was already recorded" in response.content.decode()
    assert Ballot.objects.count() == 1


def test_a_voter_changes_their_ballot(client, process):
    a, b = project_create(process, cost=10_000), project_create(process, cost=10_000)
    client.force_login(resident_create())
    url = f"/budgeting/{process.pk}/vote/"
    client.post(url, {"key": key_of(client.get(url).content.decode()), "projects": [a.pk]})
    html = client.get(url + "?change=1").content.decode()
    assert "Change your ballot" in html
    assert f'value="{a.pk}" id="project-{a.pk}" data-cost="10000"' in html
    response = client.post(url, {"key": key_of(html), "projects": [b.pk]}, follow=True)
    assert "Your ballot was changed" in response.content.decode()
    participation = Participation.objects.get()
    assert list(participation.ballot.projects.all()) == [b]


def test_the_ballot_page_explains_why_someone_cannot_vote(client, process):
    project_create(process)
    url = f"/budgeting/{process.pk}/vote/"
    assert "Log in to vote" in client.get(url).content.decode()
    client.force_login(user_create())
    html = client.get(url).content.decode()
    assert "Only verified residents can vote" in html and "Verify your residency" in html
    response = client.post(url, {"key": "k", "projects": []})
    assert response.status_code == 302 and not Ballot.objects.exists()
    young = resident_create(birth_date=f"{process.voting_year - 10}-01-01")
    client.force_login(young)
    assert "You can vote in this process if you turn 16" in client.get(url).content.decode()


def test_closed_voting_refuses_the_form(client, process):
    project = project_create(process)
    process.state = S.COUNTING
    process.save()
    client.force_login(resident_create())
    url = f"/budgeting/{process.pk}/vote/"
    assert "Voting is not open" in client.get(url).content.decode()
    client.post(url, {"key": "abc", "projects": [project.pk]})
    assert not Ballot.objects.exists()


def test_a_resident_submits_an_idea(client):
    process = process_create(state=S.IDEAS, voting_opens_at=None, voting_closes_at=None)
    client.force_login(resident_create())
    url = f"/budgeting/{process.pk}/projects/new/"
    response = client.post(url, {"title": "", "description": ""})
    assert response.status_code == 400
    response = client.post(
        url,
        {"title": "Benches", "description": "By the river", "district": "", "estimated_cost": 9},
        follow=True,
    )
    assert "Your idea was submitted" in response.content.decode()
    assert Project.objects.get().state == Project.State.SUBMITTED


def test_an_officer_reviews_and_the_proposer_gets_an_email(
    client, django_capture_on_commit_callbacks
):
    process = process_create(state=S.REVIEW)
    proposer = resident_create()
    idea = project_create(process, state=Project.State.SUBMITTED, cost=None, proposer=proposer)
    client.force_login(officer_create())
    url = f"/budgeting/{process.pk}/projects/{idea.pk}/review/"
    assert client.post(url, {"decision": "not_feasible", "reason": ""}).status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "feasible", "cost": "15000", "reason": ""})
    idea.refresh_from_db()
    assert idea.state == Project.State.FEASIBLE and idea.cost == 15_000
    assert proposer.notifications.count() == 1
    assert [m.to for m in mail.outbox] == [[proposer.email]]
    assert "is feasible and will be on the ballot" in mail.outbox[0].body


def test_moving_a_phase_asks_for_confirmation(client):
    process = process_create(state=S.VOTING)
    project_create(process)
    client.force_login(officer_create())
    url = f"/budgeting/{process.pk}/manage/phase/"
    html = client.post(url, {"to": "counting"}).content.decode()
    assert "Nobody will be able to vote any more" in html
    process.refresh_from_db()
    assert process.state == S.VOTING
    client.post(url, {"to": "counting", "confirm": "1"})
    process.refresh_from_db()
    assert process.state == S.COUNTING


def test_a_phase_closed_early_shows_when_it_really_closed(client):
    import datetime as dt

    from django.utils import formats, timezone

    planned = timezone.now() + dt.timedelta(days=10)
    process = process_create(state=S.VOTING, voting_closes_at=planned)
    project_create(process)
    client.force_login(officer_create())
    client.post(f"/budgeting/{process.pk}/manage/phase/", {"to": "counting", "confirm": "1"})
    process.refresh_from_db()
    assert process.state == S.COUNTING
    assert process.voting_closes_at <= timezone.now()
    html = client.get(f"/budgeting/{process.pk}/").content.decode()
    local = timezone.localtime
    assert formats.date_format(local(process.voting_closes_at), "DATE_FORMAT") in html
    assert formats.date_format(local(planned), "DATE_FORMAT") not in html


def test_an_officer_creates_a_process_from_the_form(client):
    client.force_login(officer_create())
    data = process_form_data(
        allow_ballot_change="on",
        result_rule="mes",
        **{
            "envelopes-TOTAL_FORMS": "2",
            "envelopes-INITIAL_FORMS": "0",
            "envelopes-0-district": "Centro",
            "envelopes-0-budget": "40000",
            "envelopes-1-district": "Navile",
            "envelopes-1-budget": "50000",
        },
    )
    response = client.post("/budgeting/new/", data)
    assert response.status_code == 400
    assert "must add up to the total budget" in response.content.decode()
    data["envelopes-1-budget"] = "60000"
    response = client.post("/budgeting/new/", data)
    assert response.status_code == 302
    process = Process.objects.get()
    assert process.envelopes.count() == 2 and process.state == S.DRAFT


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_process_date_at_the_ends_of_the_calendar_is_a_form_error(client, when):
    # Year 1 in Rome is before year 1 in UTC: checking the model's constraints overflowed
    # (OverflowError, a 500) instead of telling the officer.
    client.force_login(officer_create())
    data = process_form_data(
        ballot_rule="approval",
        approval_max="3",
        ideas_opens_at=when,
        voting_opens_at=when,
        **{"envelopes-TOTAL_FORMS": "0", "envelopes-INITIAL_FORMS": "0"},
    )
    response = client.post("/budgeting/new/", data)
    assert response.status_code == 400
    assert "Enter a date between the years 1900 and 2999." in response.content.decode()
    assert not Process.objects.exists()


# Query counts: independent of the number of rows -------------------------------------------


def _queries(client, url, django_assert_max_num_queries, n):
    with django_assert_max_num_queries(n) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/budgeting/", "/budgeting/{pk}/projects/"])
def test_list_pages_use_a_fixed_number_of_queries(client, django_assert_max_num_queries, url):
    process = process_create()
    for _ in range(3):
        project_create(process, proposer=resident_create())
    url = url.format(pk=process.pk)
    few = _queries(client, url, django_assert_max_num_queries, 12)
    for _ in range(15):
        process_create()
        project_create(process, proposer=resident_create())
    assert _queries(client, url, django_assert_max_num_queries, 12) == few


def published_process(projects_per_district: int, ballots: int) -> Process:
    from budgeting import results, services

    process = process_create(envelopes={"Centro": 50_000, "Navile": 50_000})
    for district in ("Centro", "Navile"):
        ids = [project_create(process, district=district).pk for _ in range(projects_per_district)]
        for _ in range(ballots):
            services.ballot_store(
                process=process,
                channel="paper",
                project_ids=ids[:2],
                idempotency_key=key(),
                district=district,
            )
    process.state = S.COUNTING
    process.save()
    for result in results.results_store(process=process):
        result.published_at = result.computed_at
        result.save()
    process.state = S.RESULTS
    process.save()
    return process


def test_results_page_uses_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    small = published_process(2, 1)
    few = _queries(client, f"/budgeting/{small.pk}/results/", django_assert_max_num_queries, 10)
    big = published_process(12, 5)
    url = f"/budgeting/{big.pk}/results/"
    assert _queries(client, url, django_assert_max_num_queries, 10) == few


def test_shuffled_ballots_differ_between_voters_but_not_between_visits(client):
    process = process_create(shuffle_projects=True)
    for i in range(8):
        project_create(process, title=f"P{i}", cost=1000)

    def order(user):
        client.force_login(user)
        html = client.get(f"/budgeting/{process.pk}/vote/").content.decode()
        return re.findall(r'class="pb-option-title">(P\d)<', html)

    voters = [resident_create() for _ in range(4)]
    orders = [order(v) for v in voters]
    assert order(voters[0]) == orders[0]
    assert all(sorted(o) == [f"P{i}" for i in range(8)] for o in orders)
    assert len({tuple(o) for o in orders}) > 1


def test_a_forged_choice_gets_the_validator_message(client):
    process = process_create(envelopes={"Centro": 50_000, "Navile": 50_000})
    project_create(process, district="Centro")
    theirs = project_create(process, district="Navile", title="Navile park")
    client.force_login(resident_create(district="Centro"))
    url = f"/budgeting/{process.pk}/vote/"
    html = client.get(url).content.decode()
    assert "Navile park" not in html  # only the voter's district is on their ballot
    response = client.post(url, {"key": key_of(html), "projects": [theirs.pk]})
    assert response.status_code == 400
    assert "“Navile park” belongs to Navile" in response.content.decode()


def test_a_project_links_to_a_resource_and_a_public_claim(client, settings, tmp_path):
    from proposals.models import Claim
    from tests.proposals.factories import claim_in_state, resource_create

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    process = process_create(state=S.REVIEW)
    officer = officer_create()
    client.force_login(officer)
    resource = resource_create(name="Giardino del Guasto")
    claim = claim_in_state(Claim.State.SUBMITTED, resource=resource)
    draft = claim_in_state(Claim.State.DRAFT)
    url = f"/budgeting/{process.pk}/projects/add/"
    data = {"title": "Shade", "description": "Trees", "district": "", "cost": "5000"}
    select = re.search(r'<select name="claim".*?</select>', client.get(url).content.decode(), re.S)
    assert f'value="{claim.pk}"' in select.group(0)
    assert f'value="{draft.pk}"' not in select.group(0)
    response = client.post(url, data | {"resource": resource.pk, "claim": draft.pk})
    assert response.status_code == 400  # drafts are private: not offered, not accepted
    response = client.post(url, data | {"resource": resource.pk, "claim": claim.pk}, follow=True)
    html = response.content.decode()
    assert "Giardino del Guasto" in html and claim.title in html
    project = Project.objects.get()
    assert (project.resource, project.claim, project.state) == (resource, claim, "feasible")


def test_turnout_statistics_count_one_person_in_the_singular(client, process):
    project = project_create(process, cost=10_000)
    client.force_login(resident_create())
    url = f"/budgeting/{process.pk}/vote/"
    client.post(url, {"key": key_of(client.get(url).content.decode()), "projects": [project.pk]})
    client.force_login(officer_create())
    html = client.get(f"/budgeting/{process.pk}/statistics/").content.decode()
    assert "1 person voted out of" in html
    assert "1 people" not in html


def test_the_ballot_script_messages_agree_with_the_number_of_projects(client):
    process = process_create(budget=50_000, min_projects=1, max_projects=1)
    project_create(process, cost=10_000)
    client.force_login(resident_create())
    html = client.get(f"/budgeting/{process.pk}/vote/").content.decode()
    assert 'data-msg-too-many="Choose at most 1 project."' in html
    assert 'data-msg-too-few="Choose at least 1 project."' in html


def test_the_import_status_counts_one_project_and_one_ballot_in_the_singular(rf):
    from django.template.loader import render_to_string

    status = {"state": "done", "projects": 1, "ballots": 1, "notes": [], "process_id": 7}
    html = render_to_string(
        "admin/budgeting/process/import_status.html", {"status": status}, request=rf.get("/")
    )
    assert "Imported 1 project and 1 ballot." in html
