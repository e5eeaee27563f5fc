"""The workspace pages: start, edit with support items, compare, agree, confirmations,
reports and disputes, through the test client."""

import datetime as dt

import pytest
from django.urls import reverse

from accords import services
from accords.models import Accord, AccordState, AccordVersion, Dispute
from tests.accords.factories import World, claim_create, today
from tests.accords.test_services_reports_disputes import image_file, media  # noqa: F401
from tests.citizens.factories import officer_create

pytestmark = pytest.mark.django_db


def version_post(version: AccordVersion, **changes) -> dict:
    data = {
        "title": version.title,
        "start_date": version.start_date.isoformat(),
        "end_date": version.end_date.isoformat(),
        "objectives": version.objectives,
        "actions": version.actions,
        "city_commitments": version.city_commitments,
        "civic_commitments": version.civic_commitments,
        "collective_use_rules": version.collective_use_rules,
        "monitoring_plan": version.monitoring_plan,
        "insurance": version.insurance,
        "suspension_causes": version.suspension_causes,
        "termination_causes": version.termination_causes,
        "end_arrangements": version.end_arrangements,
        "dispute_clause": version.dispute_clause,
        "change_note": "",
        "support-TOTAL_FORMS": "2",
        "support-INITIAL_FORMS": "0",
        "support-MIN_NUM_FORMS": "0",
        "support-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_officers_see_approved_claims_and_start_an_accord(client):
    world = World()
    client.force_login(world.officer)
    page = client.get(reverse("accords:accord-mine")).content.decode()
    assert world.claim.title in page
    url = reverse("accords:accord-start", args=[world.claim.pk])
    page = client.get(url).content.decode()
    assert world.group.name in page and "Rita Rep" in page
    response = client.post(
        url, {"department": world.department.pk, "start_date": today().isoformat()}
    )
    accord = Accord.objects.get(claim=world.claim)
    assert response.status_code == 302 and response.url == accord.workspace_url()
    assert (
        world.claim.title
        not in client.get(reverse("accords:accord-mine"))
        .content.decode()
        .split("Approved claims without an accord")[-1]
        .split("Accords I take part in")[0]
    )


def test_residents_cannot_start_accords(client):
    world = World()
    client.force_login(world.rep)
    assert client.get(reverse("accords:accord-start", args=[world.claim.pk])).status_code == 403


def test_saving_a_version_with_support_items_through_the_form(client):
    world = World()
    world.start()
    client.force_login(world.rep)
    url = reverse("accords:version-create", args=[world.accord.pk])
    assert client.get(url).status_code == 200
    v1 = world.accord.versions.get()
    data = version_post(
        v1,
        objectives="Keep the garden clean, open and green.",
        change_note="Greener",
        **{
            "support-0-kind": "materials_on_loan",
            "support-0-description": "Wheelbarrow",
            "support-0-quantity": "1",
            "support-0-unit": "piece",
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302
    v2 = world.accord.versions.get(number=2)
    assert v2.support_items.get().description == "Wheelbarrow" and v2.change_note == "Greener"
    # Errors come back on the form, not as a server error.
    bad = version_post(v2, end_date="2999-01-01", objectives="")
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    bad = version_post(v2, end_date="2999-01-01")
    response = client.post(url, bad)
    assert response.status_code == 400 and "maximum duration" in response.content.decode()
    cash = version_post(
        v2,
        **{
            "support-0-kind": "cash_grant",
            "support-0-description": "Cash",
            "support-0-value": "1000",
        },
    )
    response = client.post(url, cash)
    assert response.status_code == 400 and "cash_grant" in response.content.decode()
    negative = version_post(
        v2,
        **{"support-0-kind": "utilities", "support-0-description": "W", "support-0-quantity": "-5"},
    )
    assert client.post(url, negative).status_code == 400
    assert world.accord.versions.count() == 2


def test_compare_highlights_changes_without_relying_on_colour(client):
    world = World()
    world.start()
    world.edit(actor=world.rep, objectives="Keep the garden clean and open every day.")
    client.force_login(world.officer)
    response = client.get(
        reverse("accords:version-compare", args=[world.accord.pk]), {"a": 1, "b": 2}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<ins>" in body and "every" in body and "removed or changed:" in body
    assert "1 section changed." in body
    # The public cannot compare drafts.
    client.logout()
    assert client.get(reverse("accords:version-compare", args=[world.accord.pk])).status_code == 404


def test_propose_and_agree_through_the_workspace(client):
    world = World()
    world.start()
    client.force_login(world.officer)
    workspace = client.get(world.accord.workspace_url()).content.decode()
    assert "Propose as final" in workspace
    client.post(reverse("accords:version-propose", args=[world.accord.pk, 1]))
    client.force_login(world.rep)
    assert "Agree to this version" in client.get(world.accord.workspace_url()).content.decode()
    response = client.post(reverse("accords:version-agree", args=[world.accord.pk, 1]))
    assert response.status_code == 302
    assert world.refresh().state == AccordState.AWAITING_SIGNATURES
    page = client.get(world.accord.workspace_url()).content.decode()
    assert "Sign" in page and world.accord.versions.get().fingerprint in page
    # An agreement on an old version, or twice, is a message, not an error page.
    response = client.post(reverse("accords:version-agree", args=[world.accord.pk, 1]), follow=True)
    assert response.status_code == 200


def test_outsiders_cannot_open_the_workspace(client):
    world = World()
    world.start()
    assert client.get(world.accord.workspace_url()).status_code == 302  # to the login page
    client.force_login(world.outsider)
    assert client.get(world.accord.workspace_url()).status_code == 403
    response = client.post(reverse("accords:version-propose", args=[world.accord.pk, 1]))
    assert response.status_code == 403


def test_suspension_needs_a_confirmed_reason(client):
    world = World()
    world.active()
    client.force_login(world.officer)
    url = reverse("accords:accord-suspend", args=[world.accord.pk])
    assert "Suspend the accord" in client.get(url).content.decode()
    response = client.post(url, {"reason": "Works"})
    assert response.status_code == 400
    assert world.refresh().state == AccordState.ACTIVE
    response = client.post(url, {"reason": "Works on the pipes", "confirm": "on"})
    assert response.status_code == 302 and world.refresh().state == AccordState.SUSPENDED
    client.force_login(world.rep)
    assert client.get(url).status_code == 403


def test_termination_is_confirmed_and_published(client):
    world = World()
    world.active()
    client.force_login(world.rep)
    url = reverse("accords:accord-terminate", args=[world.accord.pk])
    client.post(url, {"reason": "We cannot continue", "confirm": "on"})
    assert world.refresh().state == AccordState.TERMINATED
    client.logout()
    assert "We cannot continue" in client.get(world.accord.get_absolute_url()).content.decode()


def test_reports_with_photos_through_the_pages(client, media):  # noqa: F811
    world = World()
    world.active()
    client.force_login(world.rep)
    url = reverse("accords:report-create", args=[world.accord.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "period_start": today().isoformat(),
            "period_end": today().isoformat(),
            "activities": "Planted trees",
            "volunteer_hours": "10",
            "participants": "5",
            "photos": [image_file(), image_file("two.png", "PNG")],
        },
    )
    assert response.status_code == 302
    report = world.accord.reports.get()
    photo = report.photos.first()
    client.logout()
    assert client.get(photo.get_absolute_url()).status_code == 404  # not acknowledged yet
    client.force_login(world.officer)
    response = client.post(report.get_absolute_url(), {"note": "Great work"})
    assert response.status_code == 302
    client.logout()
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "Planted trees" in client.get(world.accord.get_absolute_url()).content.decode()
    client.force_login(world.rep)
    bad = client.post(
        url,
        {
            "period_start": "x",
            "period_end": today().isoformat(),
            "activities": "",
            "volunteer_hours": "-2",
            "participants": "x",
        },
    )
    assert bad.status_code == 400


def test_a_dispute_through_the_pages(client):
    world = World()
    world.active()
    client.force_login(world.rep)
    response = client.post(
        reverse("accords:dispute-create", args=[world.accord.pk]),
        {"description": "Rakes never arrived"},
    )
    dispute = Dispute.objects.get()
    assert response.status_code == 302
    url = dispute.get_absolute_url()
    client.post(url, {"step": "member", "member-name": "Avv. Rossi"})
    client.post(url, {"step": "third", "third-name": "Prof. Verdi"})
    client.force_login(world.officer)
    client.post(url, {"step": "member", "member-name": "Ing. Bianchi"})
    client.post(url, {"step": "agree_third"})
    dispute.refresh_from_db()
    assert dispute.state == "committee_formed"
    client.post(url, {"step": "settlement", "settlement-settlement": "Deliver within a week"})
    client.post(url, {"step": "close", "close-outcome": "settled", "close-text": "Done"})
    dispute.refresh_from_db()
    assert dispute.outcome == "settled"
    assert client.post(url, {"step": "nonsense"}).status_code == 302


def test_extension_page_proposes_a_new_version(client):
    world = World(months=12)
    world.active()
    client.force_login(world.rep)
    url = reverse("accords:accord-extend", args=[world.accord.pk])
    assert "latest on" in client.get(url).content.decode() or client.get(url).status_code == 200
    new_end = world.accord.end_date + dt.timedelta(days=30)
    response = client.post(url, {"end_date": new_end.isoformat(), "note": "One more month"})
    assert response.status_code == 302
    version = world.accord.versions.order_by("-number").first()
    assert version.kind == "extension" and version.end_date == new_end
    response = client.post(url, {"end_date": "2999-01-01"})
    assert response.status_code == 400


def test_italian_pages_render(client):
    world = World()
    world.active()
    client.cookies["django_language"] = "it"
    body = client.get(reverse("accords:accord-list"), HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Patti di collaborazione" in body and "Registro pubblico" not in body
    body = client.get(world.accord.get_absolute_url()).content.decode()
    assert "Testo firmato" in body and "Impronta SHA-256" in body


def test_my_accords_queries_do_not_grow_with_the_number_of_accords(
    client, django_assert_max_num_queries
):
    world = World()
    world.active()
    signatory = officer_create(department=world.department, signatory=True)
    client.force_login(signatory)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("accords:accord-mine")).status_code == 200
    for _ in range(4):
        accord = services.accord_start(actor=world.officer, claim=claim_create())
        latest = accord.versions.get()
        services.version_propose_final(actor=world.officer, version=latest)
        services.version_agree(actor=accord.parties.get(side="civic").user, version=latest)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("accords:accord-mine")).content.decode()
    assert page.count("/sign/") == 4


def test_a_throttled_signature_answers_429_whatever_the_language(client):
    """The status comes from the refusal's code, not from its (translated) text."""
    world = World()
    world.start()
    world.agree()
    client.force_login(world.rep)
    url = reverse("accords:accord-sign", args=[world.accord.pk])
    attempt = {"credential": "nope", "confirm": "on"}
    for _ in range(5):
        wrong = client.post(url, attempt, HTTP_ACCEPT_LANGUAGE="it")
        assert wrong.status_code == 400
    response = client.post(url, attempt, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 429
    assert "Troppi tentativi" in response.content.decode()
