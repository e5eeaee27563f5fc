"""The pages: log, decide, shifts, check-in, Commons in numbers, and their refusals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from contributions import services
from contributions.models import Contribution, Signup
from tests.contributions.factories import active_world, confirmed_hours, today

pytestmark = pytest.mark.django_db


def test_a_member_logs_hours_through_the_page_and_the_representative_confirms(client):
    world = active_world()
    log = reverse("contributions:accord-log", args=[world.accord.pk])
    client.force_login(world.member)
    page = client.get(log)
    assert page.status_code == 200 and "Log hours" in page.content.decode()
    response = client.post(
        reverse("contributions:log-hours", args=[world.accord.pk]),
        {"on": today().isoformat(), "hours": "3", "description": "Watering"},
    )
    assert response.status_code == 302
    entry = Contribution.objects.get()
    bad = client.post(
        reverse("contributions:log-hours", args=[world.accord.pk]),
        {"on": today().isoformat(), "hours": "-3", "description": "x"},
    )
    assert bad.status_code == 400
    confirm = reverse("contributions:entry-confirm", args=[world.accord.pk, entry.pk])
    assert client.get(confirm).status_code == 403  # one's own entry
    client.force_login(world.rep)
    assert "awaits your confirmation" in client.get(log).content.decode()
    assert client.get(confirm).status_code == 200
    assert client.post(confirm, {"confirm": "1"}).status_code == 302
    entry.refresh_from_db()
    assert entry.state == "confirmed"
    detail = client.get(world.accord.get_absolute_url()).content.decode()
    assert 'data-testid="total-hours">3.0<' in detail


def test_rejecting_asks_for_a_reason(client):
    world = active_world()
    entry = services.log_hours(
        actor=world.member, accord=world.accord, on=today(), hours="1", description="x"
    )
    client.force_login(world.rep)
    url = reverse("contributions:entry-reject", args=[world.accord.pk, entry.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Not that day"}).status_code == 302
    assert Contribution.objects.get().state == "rejected"


def test_pending_entries_are_not_public(client):
    world = active_world()
    entry = services.log_hours(
        actor=world.member, accord=world.accord, on=today(), hours="1", description="x"
    )
    assert client.get(entry.get_absolute_url()).status_code == 404
    services.confirm(actor=world.rep, entry=entry)
    assert client.get(entry.get_absolute_url()).status_code == 200


def test_outsiders_cannot_log_or_publish(client):
    world = active_world()
    client.force_login(world.outsider)
    assert (
        client.post(reverse("contributions:log-hours", args=[world.accord.pk])).status_code == 403
    )
    assert (
        client.post(
            reverse("contributions:activity-create", args=[world.accord.pk]), {"title": "x"}
        ).status_code
        == 403
    )


def test_shift_pages_sign_up_check_in_and_out(client):
    world = active_world()
    client.force_login(world.rep)
    response = client.post(
        reverse("contributions:activity-create", args=[world.accord.pk]),
        {"title": "Planting", "description": "Bulbs"},
    )
    assert response.status_code == 302
    date = (today() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        response["Location"],
        {
            "date": date,
            "start_time": "09:00",
            "end_time": "11:00",
            "place": "Gate",
            "slots": "2",
            "bring": "Gloves",
        },
    )
    assert response.status_code == 302
    shift_url = response["Location"]
    client.force_login(world.outsider)
    assert client.post(shift_url, {"show_name_publicly": ""}).status_code == 302
    signup = Signup.objects.get()
    page = client.get(signup.get_absolute_url()).content.decode()
    assert signup.code in page and "<svg" in page
    # The QR code opens the representative's check-in page with the code filled in.
    qr_url = client.get(signup.get_absolute_url()).context["check_in_url"]
    assert qr_url.startswith("http") and qr_url.endswith(f"/check-in/?code={signup.code}")
    ics = client.get(reverse("contributions:shift-ics", args=[signup.shift_id]))
    assert ics["Content-Type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    assert (
        client.get(reverse("contributions:shift-check-in", args=[signup.shift_id])).status_code
        == 403
    )
    client.force_login(world.rep)
    check_in = reverse("contributions:shift-check-in", args=[signup.shift_id])
    assert client.post(check_in, {"code": "WRONG"}).status_code == 400
    scanned = client.get("/" + qr_url.split("://", 1)[1].split("/", 1)[1])
    assert f'value="{signup.code}"' in scanned.content.decode()
    out = reverse("contributions:signup-check-out", args=[signup.pk])
    client.post(out, {})
    assert Signup.objects.get().state == "signed_up"  # check-out before check-in: refused
    assert client.post(check_in, {"code": signup.code.lower()}).status_code == 302
    client.post(out, {"hours": ""})
    entry = Contribution.objects.get()
    assert entry.state == "confirmed" and entry.hours == Decimal("2.0")


def test_commons_in_numbers_filters_and_bad_filters(client):
    world = active_world()
    confirmed_hours(world, "2")
    url = reverse("contributions:numbers")
    page = client.get(url)
    assert page.status_code == 200 and 'id="year-data"' in page.content.decode()
    assert client.get(url, {"year": today().year, "district": "Centro"}).status_code == 200
    assert client.get(url, {"year": "abc"}).status_code == 400
    assert client.get(url, {"district": "Nowhere"}).status_code == 400


def test_open_data_downloads(client):
    world = active_world()
    confirmed_hours(world, "2")
    csv = client.get(reverse("contributions:export-csv"))
    body = b"".join(csv.streaming_content).decode()
    assert "accord_reference" in body and world.accord.reference in body
    data = client.get(reverse("contributions:export-json")).json()
    assert data["rows"][0]["hours"] == "2.0"
    api = client.get(f"/api/accords/{world.accord.pk}/contributions").json()
    assert api["totals"]["hours"] == 2.0 and api["entries"][0]["contributor"] is None
    assert client.get("/api/accords/999999/contributions").status_code == 404


def test_every_audit_action_written_has_a_label():
    from audit.labels import audit_label
    from audit.models import AuditEntry

    world = active_world()
    entry = confirmed_hours(world, "2")
    services.reverse(actor=world.rep, entry=entry, reason="typo")
    rejected = services.log_hours(
        actor=world.member, accord=world.accord, on=today(), hours="1", description="x"
    )
    services.reject(actor=world.rep, entry=rejected, reason="no")
    from tests.contributions.factories import shift_create

    shift = shift_create(world)
    signup = services.sign_up(actor=world.outsider, shift=shift)
    services.check_in(actor=world.rep, signup=signup)
    services.check_out(actor=world.rep, signup=signup)
    other = services.sign_up(actor=world.member, shift=shift)
    services.cancel_signup(actor=world.member, signup=other)
    actions = set(
        AuditEntry.objects.filter(action__startswith="contribution").values_list(
            "action", flat=True
        )
    )
    assert len(actions) >= 8
    assert all(audit_label(a) != a for a in actions), actions


def test_the_officers_dashboard_counts_city_support_to_confirm(client):
    world = active_world()
    item = world.accord.current_version.support_items.first()
    services.log_support(actor=world.rep, item=item, on=today())
    confirmed_hours(world, "2")
    client.force_login(world.officer)
    dashboard = client.get("/workspace/").content.decode()
    assert "City support entries awaiting your confirmation" in dashboard
    listing = client.get(reverse("contributions:to-confirm")).content.decode()
    assert item.description in listing
    client.force_login(world.rep)
    assert (
        "Nothing awaits your confirmation"
        in client.get(reverse("contributions:to-confirm")).content.decode()
    )


def test_the_city_support_is_logged_through_the_page_and_confirmed_by_an_officer(client):
    world = active_world()
    item = world.accord.current_version.support_items.get(kind="protective_equipment")
    url = reverse("contributions:log-support", args=[world.accord.pk])
    client.force_login(world.rep)
    assert client.get(url).status_code == 200
    assert (
        client.post(url, {"support_item": "999999", "on": today().isoformat()}).status_code == 400
    )
    response = client.post(url, {"support_item": item.pk, "on": today().isoformat(), "value": "40"})
    assert response.status_code == 302
    entry = Contribution.objects.get(support_item=item)
    client.force_login(world.officer)
    confirm = reverse("contributions:entry-confirm", args=[world.accord.pk, entry.pk])
    assert client.post(confirm, {"confirm": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "delivered"


def test_goods_correction_and_cancellation_pages(client):
    from tests.contributions.factories import shift_create

    world = active_world()
    client.force_login(world.member)
    goods = reverse("contributions:log-goods", args=[world.accord.pk])
    assert client.post(goods, {"on": today().isoformat(), "description": "x"}).status_code == 400
    response = client.post(
        goods,
        {"on": today().isoformat(), "description": "Compost", "quantity": "2", "unit": "bags"},
    )
    assert response.status_code == 302
    entry = Contribution.objects.get()
    services.confirm(actor=world.rep, entry=entry)
    correct = reverse("contributions:entry-reverse", args=[world.accord.pk, entry.pk])
    assert client.get(correct).status_code == 403  # the member cannot correct
    client.force_login(world.rep)
    assert client.post(correct, {"reason": ""}).status_code == 400
    assert client.post(correct, {"reason": "Counted twice"}).status_code == 302
    assert Contribution.objects.filter(reverses=entry).exists()
    shift = shift_create(world)
    client.logout()
    page = client.get(shift.get_absolute_url()).content.decode()
    assert "Log in to sign up" in page
    signup = services.sign_up(actor=world.outsider, shift=shift)
    client.force_login(world.member)
    assert client.get(signup.get_absolute_url()).status_code == 404  # someone else's
    client.force_login(world.outsider)
    cancel = reverse("contributions:signup-cancel", args=[signup.pk])
    assert client.get(cancel).status_code == 200
    assert client.post(cancel, {"confirm": "1"}).status_code == 302
    assert Signup.objects.get().state == "cancelled"


def test_the_representative_reaches_entries_to_confirm_and_everyone_the_figures(client):
    """Representatives are residents, not staff: My activity links the entries that wait for
    them. "Commons in numbers" is linked from every page's footer and from the accords list."""
    world = active_world()
    services.log_hours(
        actor=world.member, accord=world.accord, on=today(), hours="2", description="Weeding"
    )
    numbers = reverse("contributions:numbers")
    assert f'href="{numbers}"' in client.get("/").content.decode()
    assert f'href="{numbers}"' in client.get(reverse("accords:accord-list")).content.decode()
    client.force_login(world.rep)
    page = client.get("/me/activity/").content.decode()
    assert "1 contribution waits for your confirmation" in page
    assert reverse("contributions:to-confirm") in page
    client.force_login(world.member)  # nothing waits for the member who logged it
    assert "waits for your confirmation" not in client.get("/me/activity/").content.decode()


def test_an_accord_id_beyond_the_database_integers_is_not_found(client):
    # 20 digits reach the views through <int:pk>; a lookup on the foreign key column overflowed
    # SQLite's integers (OverflowError, a 500) instead of finding nothing.
    world = active_world()
    entry = confirmed_hours(world)
    client.force_login(world.rep)
    base = f"/contributions/accords/99999999999999999999/entries/{entry.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/correct/").status_code == 404
