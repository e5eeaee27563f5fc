import pytest
from django.core.management import call_command

from audit.models import AuditEntry
from budgeting.demo import FINISHED_TITLE, VOTING_TITLE
from budgeting.models import Ballot, Process, Project, Result
from citizens.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_residents_can_vote(client):
    call_command("seed_demo", "--quiet-accounts")
    counts = (Process.objects.count(), Project.objects.count(), Ballot.objects.count())
    call_command("seed_demo", "--quiet-accounts")
    assert (Process.objects.count(), Project.objects.count(), Ballot.objects.count()) == counts
    voting = Process.objects.get(title=VOTING_TITLE)
    assert voting.voting_is_open()
    districts = set(voting.projects.filter(state="feasible").values_list("district", flat=True))
    assert districts == {"Centro", "Navile"}
    finished = Process.objects.get(title=FINISHED_TITLE)
    assert finished.state == Process.State.RESULTS
    assert Result.objects.filter(process=finished, published_at__isnull=False).count() == 2
    assert client.login(username="resident2@partnercity.local", password=DEMO_PASSWORD)
    assert "Cast my ballot" in client.get(f"/budgeting/{voting.pk}/vote/").content.decode()
    html = client.get(f"/budgeting/{finished.pk}/results/").content.decode()
    assert "Winners" in html
    assert client.get(f"/budgeting/{finished.pk}/statistics/").status_code == 200


def test_the_finished_process_was_run_through_the_services_at_its_dates():
    call_command("seed_demo", "--quiet-accounts")
    finished = Process.objects.get(title=FINISHED_TITLE)
    trail = AuditEntry.objects.for_object(finished).order_by("id")
    published = [e for e in trail if e.action == "budgeting.results.publish"]
    # Every published result has its publish entry, made when the results were published.
    for result in Result.objects.filter(published_at__isnull=False):
        entry = AuditEntry.objects.for_object(result.process).get(
            action="budgeting.results.publish"
        )
        assert entry.at == result.published_at
    assert [e.at for e in published] == [finished.results_planned_at]
    states = [e.after["state"] for e in trail if e.after and "state" in e.after]
    assert states[-4:] == ["review", "voting", "counting", "results"]
    ballots = Ballot.objects.filter(process=finished)
    assert set(ballots.values_list("channel", flat=True)) == {"online", "in_person", "paper"}
    assert not ballots.filter(created_at__lt=finished.voting_opens_at).exists()
    assert not ballots.filter(created_at__gte=finished.voting_closes_at).exists()
    assert all(p.reviewed_at < finished.voting_opens_at for p in finished.projects.all())
