"""Computing, publishing and explaining results; CSV; statistics; the API."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEntry
from budgeting import services
from budgeting.models import Process, Result
from tests.budgeting.factories import key, process_create, process_form_data, project_create
from tests.citizens.factories import officer_create, resident_create

pytestmark = pytest.mark.django_db
S = Process.State


def vote(process, *projects, channel="paper", district=""):
    return services.ballot_store(
        process=process,
        channel=channel,
        project_ids=[p.pk for p in projects],
        idempotency_key=key(),
        district=district,
    )


@pytest.fixture
def counted():
    """Budget 30,000: A (20,000, 3 votes) wins, B (15,000, 2 votes) no longer fits, C fits."""
    process = process_create(budget=30_000, result_rule=Process.ResultRule.GREEDY)
    a = project_create(process, cost=20_000, title="Alpha")
    b = project_create(process, cost=15_000, title="Beta")
    c = project_create(process, cost=5_000, title="Gamma")
    vote(process, a, c)
    vote(process, a, c)
    vote(process, a)
    vote(process, b)
    vote(process, b)
    process.state = S.COUNTING
    process.save()
    return process, a, b, c


def test_officers_compute_and_publish_and_both_are_audited(
    counted, django_capture_on_commit_callbacks
):
    process, a, b, c = counted
    officer = officer_create()
    with pytest.raises(PermissionDenied):
        services.result_compute(actor=resident_create(), process=process)
    with pytest.raises(ValidationError):
        services.result_publish(actor=officer, process=process)  # nothing computed yet
    (result,) = services.result_compute(actor=officer, process=process)
    assert result.published_at is None and result.spent == 25_000
    lines = {ln.project: ln for ln in result.lines.all()}
    assert {p for p, ln in lines.items() if ln.selected} == {a, c}
    assert lines[a].votes == 3 and lines[a].position == 1 and lines[c].position == 2
    assert lines[b].reason == "greedy_did_not_fit"
    with django_capture_on_commit_callbacks(execute=True):
        services.result_publish(actor=officer, process=process)
    process.refresh_from_db()
    assert process.state == S.RESULTS
    actions = list(
        AuditEntry.objects.for_object(process).order_by("at", "id").values_list("action", flat=True)
    )
    assert actions == ["budgeting.results.compute", "budgeting.results.publish"]
    assert Result.objects.get().published_by == officer


def test_results_published_before_the_announced_date_show_the_real_date(counted):
    import datetime as dt

    from django.utils import timezone

    process, *_ = counted
    Process.objects.filter(pk=process.pk).update(
        results_planned_at=timezone.now() + dt.timedelta(days=30)
    )
    officer = officer_create()
    services.result_compute(actor=officer, process=process)
    services.result_publish(actor=officer, process=process)
    process.refresh_from_db()
    assert process.results_planned_at <= timezone.now()


def test_publishing_stale_results_is_refused(counted):
    process, a, *_ = counted
    officer = officer_create()
    services.result_compute(actor=officer, process=process)
    vote(process, a)  # a paper ballot entered after computing
    with pytest.raises(ValidationError) as info:
        services.result_publish(actor=officer, process=process)
    assert info.value.code == "stale"


def test_the_results_page_shows_winners_chart_and_explanations(client, counted):
    process, a, b, c = counted
    officer = officer_create()
    client.force_login(officer)
    client.post(f"/budgeting/{process.pk}/results/compute/")
    html = client.get(f"/budgeting/{process.pk}/results/").content.decode()
    assert "Preview: these results are not published yet" in html
    client.logout()
    assert "Alpha" not in client.get(f"/budgeting/{process.pk}/results/").content.decode()
    client.force_login(officer)
    page = client.post(f"/budgeting/{process.pk}/results/publish/").content.decode()
    assert "Proposers are notified" in page  # asks first
    client.post(f"/budgeting/{process.pk}/results/publish/", {"confirm": "1"})
    client.logout()
    html = client.get(f"/budgeting/{process.pk}/results/").content.decode()
    assert "Winners" in html and "Alpha" in html
    assert "Not selected: it did not fit the remaining €10,000.00." in html
    assert "Selected: with 3 votes, it fit in the €30,000.00 still available." in html
    assert 'class="pb-chart"' in html and "3 votes" in html
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/budgeting/{process.pk}/results.csv").content.decode())
        )
    )
    assert [(r["title"], r["selected"]) for r in rows] == [
        ("Alpha", "1"),
        ("Gamma", "1"),
        ("Beta", "0"),
    ]
    assert rows[2]["explanation"] == "Not selected: it did not fit the remaining €10,000.00."


def test_explanations_are_translated(client, counted):
    process, *_ = counted
    officer = officer_create()
    services.result_compute(actor=officer, process=process)
    services.result_publish(actor=officer, process=process)
    client.cookies["django_language"] = "it"
    html = client.get(f"/budgeting/{process.pk}/results/").content.decode()
    assert "Non selezionato: non rientrava nei 10.000,00\N{NO-BREAK SPACE}€ rimanenti." in html


def test_envelopes_are_counted_separately():
    process = process_create(envelopes={"Centro": 10_000, "Navile": 10_000})
    centro = project_create(process, district="Centro", cost=10_000)
    navile = project_create(process, district="Navile", cost=10_000)
    vote(process, centro, district="Centro")
    vote(process, navile, district="Navile")
    vote(process, navile, district="Navile")
    process.state = S.COUNTING
    process.save()
    results = services.result_compute(actor=officer_create(), process=process)
    assert [(r.district, r.ballots_counted, r.spent) for r in results] == [
        ("Centro", 1, 10_000),
        ("Navile", 2, 10_000),
    ]


def test_a_share_threshold_counts_the_participants_of_each_district_envelope(client):
    process = process_create(
        envelopes={"Centro": 100_000, "Navile": 100_000},
        result_rule=Process.ResultRule.MES,
        min_vote_share=50,
        min_projects=0,
    )
    x = project_create(process, district="Centro", cost=10_000, title="Xylo")
    y = project_create(process, district="Centro", cost=10_000, title="Yarrow")
    z = project_create(process, district="Navile", cost=10_000, title="Zinnia")
    for chosen in ([x, y], [x], [], []):  # Centro: 4 voters, so 50% is 2 votes
        vote(process, *chosen, district="Centro")
    vote(process, z, district="Navile")  # Navile: 1 voter, so 50% is 1 vote
    process.state = S.COUNTING
    process.save()
    officer = officer_create()
    centro, navile = services.result_compute(actor=officer, process=process)
    assert {ln.project for ln in centro.lines.filter(selected=True)} == {x}
    assert {ln.project for ln in navile.lines.filter(selected=True)} == {z}
    assert centro.lines.get(project=y).reason == "below_min_votes"
    services.result_publish(actor=officer, process=process)
    html = client.get(f"/budgeting/{process.pk}/results/").content.decode()
    assert "Not selected: with 1 vote, it is below the threshold of 2 votes." in html


@pytest.mark.parametrize("rule", [Process.ResultRule.GREEDY, Process.ResultRule.MES])
def test_a_project_nobody_voted_for_is_never_funded_even_when_money_is_left(rule):
    process = process_create(budget=100_000, result_rule=rule)
    voted = project_create(process, cost=20_000)
    ignored = project_create(process, cost=10_000)
    vote(process, voted)
    process.state = S.COUNTING
    process.save()
    (result,) = services.result_compute(actor=officer_create(), process=process)
    assert [ln.project for ln in result.lines.filter(selected=True)] == [voted]
    assert result.lines.get(project=ignored).reason in ("no_votes", "mes_no_supporters")


def test_statistics_by_channel_district_and_age(client):
    process = process_create()
    project = project_create(process)
    year = process.voting_year
    for district, birth in [("Centro", year - 20), ("Centro", year - 70), ("Navile", year - 40)]:
        voter = resident_create(district=district, birth_date=f"{birth}-06-01")
        services.ballot_cast(
            user=voter, process=process, project_ids=[project.pk], idempotency_key=key()
        )
    resident_create(district="Navile")  # eligible, did not vote
    vote(process, project, channel="paper")
    from budgeting.selectors import statistics

    stats = statistics(process)
    assert {r["channel"]: r["ballots"] for r in stats["by_channel"]} == {
        "online": 3,
        "in_person": 0,
        "paper": 1,
        "imported": 0,
    }
    assert stats["participants"] == 3 and stats["eligible"] == 4 and stats["turnout"] == 75.0
    by_district = {r["district"]: (r["participants"], r["eligible"]) for r in stats["by_district"]}
    assert by_district == {"Centro": (2, 2), "Navile": (1, 2)}
    by_age = {(r["low"], r["high"]): r["participants"] for r in stats["by_age"]}
    assert by_age[(18, 24)] == 1 and by_age[(35, 49)] == 1 and by_age[(65, None)] == 1
    assert by_age[(16, 17)] == 0
    html = client.get(f"/budgeting/{process.pk}/statistics/").content.decode()
    assert "Ballots by channel" in html and "75.0%" in html


# API ---------------------------------------------------------------------------------------


def test_api_lists_public_processes_with_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    for _ in range(3):
        project_create(process_create())
    process_create(state=S.DRAFT)
    with django_assert_max_num_queries(4) as few:
        data = client.get("/api/processes").json()
    assert data["count"] == 3 and len(data["items"]) == 3
    assert data["items"][0]["projects_on_ballot"] == 1
    for _ in range(20):
        project_create(process_create())
    with django_assert_max_num_queries(4) as many:
        data = client.get("/api/processes?limit=50").json()
    assert data["count"] == 23
    assert len(many.captured_queries) == len(few.captured_queries)


def test_api_process_detail_and_results(client, counted, django_assert_max_num_queries):
    process, a, b, c = counted
    detail = client.get(f"/api/processes/{process.pk}").json()
    assert detail["budget"] == 30_000 and len(detail["projects"]) == 3
    assert client.get(f"/api/processes/{process.pk}/results").json() == {
        "process_id": process.pk,
        "published": False,
        "results": [],
    }
    officer = officer_create()
    services.result_compute(actor=officer, process=process)
    services.result_publish(actor=officer, process=process)
    with django_assert_max_num_queries(4):
        data = client.get(f"/api/processes/{process.pk}/results").json()
    (result,) = data["results"]
    assert [p["title"] for p in result["projects"] if p["selected"]] == ["Alpha", "Gamma"]
    assert result["projects"][2]["explanation"].startswith("Not selected")
    assert client.get(f"/api/processes/{process_create(state=S.DRAFT).pk}").status_code == 404
    spec = client.get("/api/openapi.json").json()
    assert "/api/processes/{process_id}/results" in spec["paths"]


def test_equal_shares_explains_why_a_project_lost(client):
    process = process_create(
        budget=100,
        result_rule=Process.ResultRule.MES,
        mes_completion=Process.Completion.NONE,
    )
    a = project_create(process, cost=60, title="Alpha")
    b = project_create(process, cost=50, title="Beta")
    for _ in range(3):
        vote(process, a)
    vote(process, b)
    process.state = S.COUNTING
    process.save()
    officer = officer_create()
    (result,) = services.result_compute(actor=officer, process=process)
    lines = {ln.project: ln for ln in result.lines.all()}
    assert lines[a].selected and lines[a].reason == "mes_selected"
    assert not lines[b].selected and lines[b].reason == "mes_not_affordable"
    assert result.details["add1"] is True
    services.result_publish(actor=officer, process=process)
    html = client.get(f"/budgeting/{process.pk}/results/").content.decode()
    assert "Not selected: its supporters&#x27; remaining shares (" in html
    assert "could not cover its cost of €50.00." in html
    assert "Selected by equal shares: its supporters could cover its cost together" in html


def test_every_add1_variant_is_known_to_the_rules():
    from budgeting.rules.mes import ADD1_VARIANTS

    assert set(Process.Add1Variant.values) <= set(ADD1_VARIANTS)


def test_numeric_project_ids_are_never_read_as_positions():
    process = process_create(budget=10, result_rule=Process.ResultRule.GREEDY)
    projects = [project_create(process, cost=10, code=code) for code in ("2", "0", "1")]
    vote(process, projects[1])  # the project whose id is "0", second in order
    process.state = S.COUNTING
    process.save()
    (result,) = services.result_compute(actor=officer_create(), process=process)
    assert [ln.project.code for ln in result.lines.filter(selected=True)] == ["0"]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [(1200, "€1,200.00"), ("12.5", "€12.50"), ("1000/3", "€333.33"), (7.25, "€7.25")],
)
def test_amounts_in_explanations_are_rounded_for_reading(stored, shown):
    from budgeting.models import ResultLine
    from budgeting.results import reason_text
    from budgeting.templatetags.budgeting_tags import money

    line = ResultLine(
        votes=1,
        selected=False,
        reason="greedy_did_not_fit",
        reason_data={"data": {"remaining": stored}},
    )
    assert reason_text(line, lambda a: money(a, "EUR")).endswith(f"remaining {shown}.")


def test_the_process_form_sets_a_vote_threshold_and_refuses_a_share_over_100_percent():
    from budgeting.forms import ProcessForm

    data = process_form_data()
    form = ProcessForm(data=data)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["min_votes"], form.cleaned_data["min_vote_share"]) == (0, 0)
    form = ProcessForm(data=data | {"min_votes": "100", "min_vote_share": "2.5"})
    assert form.is_valid(), form.errors
    process = form.save()
    assert process.vote_threshold(1000) == 100 and process.vote_threshold(5000) == 125
    form = ProcessForm(data=data | {"min_vote_share": "101"})
    assert not form.is_valid() and "min_vote_share" in form.errors


def test_project_pages_mark_winners_as_funded_once_results_are_published(client, counted):
    process, a, b, c = counted
    officer = officer_create()
    services.result_compute(actor=officer, process=process)
    detail = f"/budgeting/{process.pk}/projects/{a.pk}/"
    listing = f"/budgeting/{process.pk}/projects/"
    assert "Funded" not in client.get(detail).content.decode()  # computed, not published
    services.result_publish(actor=officer, process=process)
    assert "Funded: this project was selected" in client.get(detail).content.decode()
    loser = client.get(f"/budgeting/{process.pk}/projects/{b.pk}/").content.decode()
    assert "Funded" not in loser
    assert client.get(listing).content.decode().count('<span class="badge ok">Funded</span>') == 2


def _results_page_queries(client, process, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(50) as ctx:
        assert client.get(f"/budgeting/{process.pk}/results/").status_code == 200
    return len(ctx.captured_queries)


def test_the_results_page_takes_the_same_number_of_queries_whatever_the_size(
    client, django_assert_max_num_queries
):
    officer = officer_create()
    counts = []
    for size in (2, 12):
        process = process_create(
            budget=1_000_000, result_rule=Process.ResultRule.MES, envelopes=None
        )
        projects = [project_create(process, cost=1_000 * (i + 1)) for i in range(size)]
        for i in range(size):
            vote(process, *projects[: i + 1])
        process.state = S.COUNTING
        process.save()
        services.result_compute(actor=officer, process=process)
        services.result_publish(actor=officer, process=process)
        counts.append(_results_page_queries(client, process, django_assert_max_num_queries))
    assert counts[0] == counts[1]


def test_ballots_are_loaded_for_counting_in_one_query_whatever_their_number(
    django_assert_num_queries,
):
    from budgeting import results

    process = process_create(envelopes={"Centro": 50_000, "Navile": 50_000}, min_projects=0)
    a = project_create(process, district="Centro", cost=10_000)
    b = project_create(process, district="Centro", cost=20_000)
    c = project_create(process, district="Navile", cost=10_000)
    project_create(process, district="Centro", state="not_feasible")
    for chosen, district in (
        [([a, b], "Centro")] * 5 + [([a], "Centro"), ([], "Centro")] + [([c], "Navile")] * 3
    ):
        vote(process, *chosen, district=district)
    # envelopes, feasible projects, then the ballots: one query for all of them
    with django_assert_num_queries(3):
        centro, navile = results.tallies(process)
    assert sorted(centro.ballots) == [()] + [(0,)] + [(0, 1)] * 5
    assert centro.votes == [6, 5] and navile.votes == [3]
    assert len({id(ballot) for ballot in centro.ballots}) == 3  # identical ballots share a tuple


def test_ballots_with_the_same_projects_stored_in_another_order_are_one_ballot():
    from budgeting import results
    from budgeting.models import Ballot, BallotSelection

    process = process_create(budget=50_000, min_projects=0, envelopes=None)
    a = project_create(process, cost=10_000)
    b = project_create(process, cost=20_000)
    c = project_create(process, cost=5_000, state="not_feasible")
    for order in ([a, b], [b, a], [b, c, a], [a]):
        ballot = Ballot.objects.create(process=process, channel="paper", idempotency_key=key())
        for project in order:  # selections stored in this order
            BallotSelection.objects.create(ballot=ballot, project=project)
    (tally,) = results.tallies(process)
    assert sorted(tally.ballots) == [(0,), (0, 1), (0, 1), (0, 1)]  # c is not feasible
    assert len({id(ballot) for ballot in tally.ballots}) == 2
    assert tally.votes == [4, 3]
    # The votes counted while loading are those a recount of the ballots gives.
    recount = results.Tally(tally.district, tally.budget, tally.projects, tally.ballots)
    assert recount.votes == tally.votes
    assert results.election_of(tally).approval_counts == (4, 3)


def test_rows_of_one_set_of_projects_in_several_orders_are_merged():
    from budgeting import results

    process = process_create(budget=50_000, min_projects=0, envelopes=None)
    a = project_create(process, cost=10_000)
    b = project_create(process, cost=20_000)
    rows = [("", f"{b.pk},{a.pk}", 2), ("", f"{a.pk},{b.pk}", 3), ("", None, 1)]
    tally = results._tally("", 50_000, [a, b], rows, by_district=False)
    assert sorted(tally.ballots) == [()] + [(0, 1)] * 5
    assert len({id(ballot) for ballot in tally.ballots}) == 2
    assert tally.votes == [5, 5]
