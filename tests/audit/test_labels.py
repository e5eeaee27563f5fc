"""Audit actions shown by name: transitions by their label, others as their app named them."""

import pytest
from django.template import Context, Template
from django.utils import translation

from audit.labels import audit_label
from budgeting.models import Process
from tests.budgeting.factories import process_create, project_create
from tests.citizens.factories import officer_create


def test_a_state_machine_transition_is_named_by_its_label():
    transition = Process.machine["open_voting"]
    action = f"{Process.machine.audit_prefix}.open_voting"
    assert audit_label(action) == str(transition.label)[0].upper() + str(transition.label)[1:]
    assert audit_label(action) != action


def test_an_action_registered_by_its_app_is_named_in_the_active_language():
    with translation.override("en"):
        assert audit_label("budgeting.results.publish") == "Results published"
        assert audit_label("accord.dispute.open") == "Dispute opened"


def test_an_unknown_action_shows_its_code():
    assert audit_label("nobody.knows") == "nobody.knows"


def test_the_template_filter_names_the_action():
    html = Template("{% load audit %}{{ a|audit_label }}").render(
        Context({"a": "budgeting.process.lots"})
    )
    assert html == "Ties drawn by lot"


@pytest.mark.django_db
def test_the_process_page_shows_decisions_by_name_not_by_code(client):
    process = process_create(state=Process.State.VOTING)
    project_create(process)
    client.force_login(officer_create())
    client.post(f"/budgeting/{process.pk}/manage/phase/", {"to": "counting", "confirm": "1"})
    html = client.get(f"/budgeting/{process.pk}/manage/").content.decode()
    decisions = html.split('id="audit-heading"')[1].split("</section>")[0]
    assert "Phase changed" in decisions
    assert "budgeting.process" not in decisions
