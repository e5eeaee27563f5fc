import pytest
from django.core.management import call_command

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
