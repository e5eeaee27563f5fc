"""Pabulib in and out: import (command, admin), export, and the round trip."""

import pytest
from django.core.management import CommandError, call_command

from budgeting import pabulib, services
from budgeting.models import Ballot, Channel, Process, Project
from budgeting.pabulib_io import PabulibImportError, process_export, process_import
from citizens.rules import Role
from conftest import missing, pabulib_dir
from tests.budgeting.factories import key, process_create, project_create
from tests.citizens.factories import officer_create, user_create

pytestmark = pytest.mark.django_db
S = Process.State

SMALL = """META
key;value
description;Tiny test election
num_projects;3
num_votes;4
budget;100
vote_type;approval
rule;greedy
max_length;2
currency;EUR
PROJECTS
project_id;cost;name
a;60;Alpha
b;50;"Beta; with a semicolon"
c;40;Gamma
VOTES
voter_id;vote
1;a,b
2;a
3;b,c
4;c
"""


def selected_codes(process) -> list[str]:
    officer = officer_create()
    services.result_compute(actor=officer, process=process)
    result_lines = process.results.get().lines.filter(selected=True)
    return sorted(line.project.public_id for line in result_lines.select_related("project"))


def test_import_creates_a_process_ready_to_count():
    report = process_import(data=SMALL.encode())
    process = report.process
    assert (report.projects, report.ballots) == (3, 4)
    assert process.state == S.COUNTING and process.budget == 100
    assert process.ballot_rule == Process.BallotRule.APPROVAL and process.approval_max == 2
    assert process.projects.get(code="b").title == "Beta; with a semicolon"
    assert set(Ballot.objects.values_list("channel", flat=True)) == {Channel.IMPORTED}
    assert selected_codes(process) == ["a", "c"]  # a: 2 votes, b: 2 (no longer fits), c


def test_import_errors_name_the_line_or_the_voter():
    broken = SMALL.replace("3;b,c\n", "3;b;c\n")
    with pytest.raises(PabulibImportError) as info:
        process_import(data=broken)
    assert info.value.line == 20 and str(info.value).startswith("Line 20:")
    too_long = SMALL.replace("4;c\n", "4;a,b,c\n")
    with pytest.raises(PabulibImportError) as info:
        process_import(data=too_long)
    assert "voter 4" in str(info.value) and "at most 2" in str(info.value)
    assert not Process.objects.exists()  # nothing half-imported


def test_round_trip_export_then_import_gives_the_same_outcome():
    for rule in (Process.ResultRule.GREEDY, Process.ResultRule.MES):
        process = process_create(budget=100_000, result_rule=rule)
        projects = [project_create(process, cost=c) for c in (40_000, 35_000, 30_000, 25_000, 9)]
        patterns = [[0, 1], [0], [1, 2], [2, 3], [3], [0, 3, 4], [1], [4], []]
        process.min_projects = 0
        process.save()
        for i, pattern in enumerate(patterns * 3):
            services.ballot_store(
                process=process,
                channel=Channel.PAPER if i % 2 else Channel.IN_PERSON,
                project_ids=[projects[j].pk for j in pattern],
                idempotency_key=key(),
            )
        process.state = S.COUNTING
        process.save()
        text = process_export(process=process)
        assert "VOTES" in text and ";1," not in text.split("VOTES")[0]
        again = process_import(data=text).process
        assert again.ballots.count() == process.ballots.count() == 27
        original = selected_codes(process)
        assert [str(p.pk) for p in projects if str(p.pk) in original]  # something won
        assert selected_codes(again) == original


def test_export_of_an_envelope_and_published_selection():
    process = process_create(envelopes={"Centro": 100, "Navile": 100})
    a = project_create(process, cost=60, district="Centro", title="Alpha")
    project_create(process, cost=60, district="Navile")
    services.ballot_store(
        process=process,
        channel="paper",
        project_ids=[a.pk],
        idempotency_key=key(),
        district="Centro",
    )
    process.state = S.COUNTING
    process.save()
    officer = officer_create()
    services.result_compute(actor=officer, process=process)
    services.result_publish(actor=officer, process=process)
    text = process_export(process=process, district="Centro")
    assert "district;Centro" in text and "num_projects;1" in text
    assert f"{a.pk};60;1;Alpha;1" in text  # project_id;cost;votes;name;selected


def test_the_files_vote_threshold_is_imported_and_exported():
    with_threshold = (
        SMALL.replace("rule;greedy\n", "rule;greedy-threshold\n")
        .replace("currency;EUR\n", "currency;EUR\nmin_project_score_threshold;2\n")
        .replace("4;c\n", "4;a\n")  # a: 3 votes, b: 2, c: 1
    )
    assert selected_codes(process_import(data=with_threshold.replace(";2\n", ";0\n")).process) == [
        "a",
        "c",
    ]
    process = process_import(data=with_threshold).process
    assert process.min_votes == 2
    assert selected_codes(process) == ["a"]  # b no longer fits, c is under the threshold
    text = process_export(process=process)
    assert "min_project_score_threshold;2\n" in text and "rule;greedy-threshold\n" in text
    again = process_import(data=text).process
    assert again.min_votes == 2


def test_a_share_threshold_is_exported_as_the_votes_it_requires():
    process = process_import(data=SMALL).process
    assert process.min_votes == 0
    assert "min_project_score_threshold" not in process_export(process=process)
    process.min_vote_share = 50  # of 4 voters
    process.save()
    assert "min_project_score_threshold;2\n" in process_export(process=process)


def test_the_instance_is_the_year_voting_opened():
    import datetime as dt

    from django.utils import timezone

    opens = dt.datetime(2026, 12, 3, 9, tzinfo=timezone.get_current_timezone())
    process = process_create(
        title="Green Budget 2026",
        voting_opens_at=opens,
        voting_closes_at=opens + dt.timedelta(days=40),  # January 2027
    )
    assert "instance;2026\n" in process_export(process=process)


def test_a_real_file_imports_and_reproduces_its_published_outcome():
    if not pabulib_dir().is_dir():
        missing(f"needs the Pabulib files in {pabulib_dir()}")
    path = pabulib_dir() / "Netherlands_Assen_2024.pb"
    process = process_import(data=path.read_bytes()).process
    assert process.result_rule == Process.ResultRule.MES
    data = pabulib.parse_pabulib(path)
    wanted = sorted(p.project_id for p in data.projects if p.fields.get("selected") == "1")
    assert len(wanted) == 9
    assert selected_codes(process) == wanted
    again = process_import(data=process_export(process=process)).process
    assert selected_codes(again) == wanted


def test_pb_import_and_pb_export_commands(tmp_path, capsys):
    source = tmp_path / "small.pb"
    source.write_text(SMALL)
    call_command("pb_import", str(source), "--title", "From the command")
    out, err = capsys.readouterr()
    assert "3 projects, 4 ballots" in out and "parse:" in err
    process = Process.objects.get(title="From the command")
    target = tmp_path / "out.pb"
    call_command("pb_export", str(process.pk), "-o", str(target))
    assert target.read_text().startswith("META\nkey;value\n")
    bad = tmp_path / "bad.pb"
    bad.write_text("PROJECTS\n")
    with pytest.raises(CommandError, match="Line 1"):
        call_command("pb_import", str(bad))


def test_the_export_page_is_open_data_after_results(client):
    process = process_create(state=S.VOTING)
    project_create(process)
    assert client.get(f"/budgeting/{process.pk}/export.pb").status_code == 403
    process.state = S.RESULTS
    process.save()
    response = client.get(f"/budgeting/{process.pk}/export.pb")
    assert response.status_code == 200 and b"PROJECTS" in response.content


def test_admin_upload_of_a_small_file(client, tmp_path):
    admin = user_create(roles=[Role.ADMINISTRATOR])
    client.force_login(admin)
    url = "/django-admin/budgeting/process/import/"
    assert client.get(url).status_code == 200
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("a;60;Alpha", "a;sixty;Alpha"))
    with bad.open("rb") as f:
        response = client.post(url, {"file": f})
    assert "Line 13" in response.content.decode() and "not a number" in response.content.decode()
    good = tmp_path / "good.pb"
    good.write_text(SMALL)
    with good.open("rb") as f:
        response = client.post(url, {"file": f, "title": "Uploaded"}, follow=True)
    assert "Imported 3 projects and 4 ballots" in response.content.decode()
    assert Project.objects.filter(process__title="Uploaded").count() == 3
