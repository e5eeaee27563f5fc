"""Public pages and the proposers' forms: filters, validation, confirmations, status codes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Claim, UrbanResource
from tests.citizens.factories import officer_create, resident_create, user_create
from tests.proposals.factories import claim_data, claim_in_state, png_upload, resource_create

pytestmark = pytest.mark.django_db
S = Claim.State


def form_data(**overrides):
    data = claim_data(**overrides)
    if data.get("resource") is not None:
        data["resource"] = data["resource"].pk
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_menu_links_resolve():
    assert reverse("proposals:resource-list") == "/resources/"
    assert reverse("proposals:claim-list") == "/claims/"
    assert reverse("proposals:office-queue") == "/office/"


def test_resource_list_filters_and_map_data(client):
    park = resource_create(name="Parco Nord", district="Navile", kind="green_area")
    resource_create(name="Piazza Sud", district="Centro", kind="square")
    claim_in_state(S.SUBMITTED, resource=park)
    html = client.get("/resources/").content.decode()
    assert "Parco Nord" in html and "Piazza Sud" in html
    assert 'id="resource-points"' in html and "leaflet.js" in html
    html = client.get("/resources/?district=Navile").content.decode()
    assert "Parco Nord" in html and "Piazza Sud" not in html
    html = client.get("/resources/?status=claimed").content.decode()
    assert "Parco Nord" in html and "Piazza Sud" not in html
    html = client.get("/resources/?status=available&kind=square").content.decode()
    assert "Piazza Sud" in html and "Parco Nord" not in html
    html = client.get("/resources/?q=zzz").content.decode()
    assert "No resource matches these filters." in html
    # An invalid filter value is a form error, not a crash.
    assert client.get("/resources/?status=bogus&page=999").status_code == 200


def test_resource_detail_lists_its_public_claims(client):
    resource = resource_create()
    public = claim_in_state(S.CONSULTATION, resource=resource)
    draft = claim_in_state(S.DRAFT, resource=resource)
    html = client.get(resource.get_absolute_url()).content.decode()
    assert public.title in html and draft.title not in html
    assert "Claimed" in html
    assert client.get("/resources/999999/").status_code == 404


def test_officers_add_and_edit_resources_residents_cannot(client):
    data = {
        "name": "Orto Urbano",
        "kind": "green_area",
        "address": "Via Roma 1",
        "district": "Centro",
        "latitude": "44.5",
        "longitude": "11.3",
        "owner": "municipal",
        "description": "",
    }
    client.force_login(resident_create())
    assert client.post("/resources/new/", data).status_code == 403
    client.force_login(officer_create())
    response = client.post("/resources/new/", {**data, "longitude": ""})
    assert response.status_code == 400
    assert "both latitude and longitude" in response.content.decode()
    response = client.post("/resources/new/", data)
    resource = UrbanResource.objects.get(name="Orto Urbano")
    assert response.status_code == 302
    response = client.post(f"/resources/{resource.pk}/edit/", {**data, "district": "Navile"})
    resource.refresh_from_db()
    assert resource.district == "Navile"


def test_claim_list_search_filters_sort_and_pagination(client):
    popular = claim_in_state(S.CONSULTATION, title="Orti condivisi")
    for _ in range(2):
        from proposals import services

        services.support_add(user=resident_create(), claim=popular)
    other = claim_in_state(
        S.SUBMITTED, title="Bike kitchen", resource=resource_create(district="Navile")
    )
    draft = claim_in_state(S.DRAFT, title="Secret draft")
    html = client.get("/claims/").content.decode()
    assert popular.title in html and other.title in html and draft.title not in html
    html = client.get("/claims/?q=orti").content.decode()
    assert popular.title in html and other.title not in html
    html = client.get("/claims/?district=Navile").content.decode()
    assert other.title in html and popular.title not in html
    html = client.get("/claims/?sort=-supports_count").content.decode()
    assert html.index(popular.title) < html.index(other.title)
    html = client.get("/claims/?state=approved").content.decode()
    assert "No claim matches these filters." in html
    assert client.get("/claims/?page=abc").status_code == 200
    assert client.get("/claims/?state=draft").status_code == 200  # ignored, not an error


def test_claim_list_by_resource_and_a_resource_number_past_the_integers(client):
    park = resource_create(name="Parco Nord")
    on_park = claim_in_state(S.SUBMITTED, title="Orti al parco", resource=park)
    other = claim_in_state(S.SUBMITTED, title="Bike kitchen")
    html = client.get(f"/claims/?resource={park.pk}").content.decode()
    assert on_park.title in html and other.title not in html
    # 20 digits overflowed SQLite's integers in the resource_id lookup: a 500, now no match.
    response = client.get("/claims/?resource=99999999999999999999")
    assert response.status_code == 200
    assert "No claim matches these filters." in response.content.decode()


def test_claim_list_paginates(client):
    author = resident_create()
    for _ in range(21):
        claim_in_state(S.SUBMITTED, author=author)
    html = client.get("/claims/").content.decode()
    assert "Page 1 of 2" in html and 'rel="next"' in html
    assert "Page 2 of 2" in client.get("/claims/?page=2").content.decode()


def test_drafts_are_hidden_from_everyone_but_their_proposers(client):
    author = resident_create()
    draft = claim_in_state(S.DRAFT, author=author)
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(officer_create())
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(author)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert "This is a draft" in html and "Submit to the city" in html


def test_a_resident_writes_submits_and_sees_the_claim(client):
    author = resident_create()
    resource = resource_create()
    client.force_login(author)
    assert resource.name in client.get(f"/claims/new/?resource={resource.pk}").content.decode()
    # "²" is a digit to str.isdigit but no number to int(): it raised ValueError (a 500).
    assert client.get("/claims/new/?resource=²").status_code == 200
    data = form_data(resource=resource, title="Cura del giardino")
    data["attachments"] = [png_upload()]
    response = client.post("/claims/new/", data)
    claim = Claim.objects.get(title="Cura del giardino")
    assert response.status_code == 302 and response["Location"] == claim.get_absolute_url()
    assert claim.attachments.count() == 1
    assert "Submit this claim?" in client.get(f"/claims/{claim.pk}/submit/").content.decode()
    response = client.post(f"/claims/{claim.pk}/submit/")
    claim.refresh_from_db()
    assert claim.state == S.SUBMITTED
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Submitted to the city" in html and claim.reference in html
    # Submitting again is refused with a message, not an error page.
    response = client.post(f"/claims/{claim.pk}/submit/", follow=True)
    assert "cannot submit while it is" in response.content.decode()


def test_claim_form_errors_are_shown_not_raised(client):
    client.force_login(resident_create())
    data = form_data(title="", motivation="")
    response = client.post("/claims/new/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("This field is required.") >= 2
    data = form_data(resource=None)
    response = client.post("/claims/new/", data)
    assert "describe a new location" in response.content.decode()
    data = form_data(requested_duration_months=500)
    assert "at most 36 months" in client.post("/claims/new/", data).content.decode()
    data = form_data(summary="x" * 700)
    assert client.post("/claims/new/", data).status_code == 400
    assert not Claim.objects.exists()


def test_wrong_type_and_oversize_attachments_are_form_errors(client, settings):
    client.force_login(resident_create())
    data = form_data()
    data["attachments"] = [SimpleUploadedFile("cat.png", b"not an image at all", "image/png")]
    response = client.post("/claims/new/", data)
    assert response.status_code == 400 and "neither a photo" in response.content.decode()
    settings.PROPOSALS_ATTACHMENT_MAX_BYTES = 10
    data["attachments"] = [png_upload()]
    response = client.post("/claims/new/", data)
    assert response.status_code == 400 and "the limit is" in response.content.decode()
    assert not Claim.objects.exists()


def test_unverified_users_are_sent_to_verify_their_residency(client):
    client.force_login(user_create())
    response = client.get("/claims/new/", follow=True)
    assert "verified residency" in response.content.decode()
    assert client.get("/claims/new/").status_code == 302


def test_support_comment_and_object_through_the_page(client):
    claim = claim_in_state(S.CONSULTATION)
    url = claim.get_absolute_url()
    assert client.post(f"/claims/{claim.pk}/support/").status_code == 302  # to login
    resident = resident_create()
    client.force_login(resident)
    assert 'data-testid="support"' in client.get(url).content.decode()
    client.post(f"/claims/{claim.pk}/support/", {"action": "add"})
    response = client.post(f"/claims/{claim.pk}/support/", {"action": "add"}, follow=True)
    assert "You already support this claim." in response.content.decode()
    claim.refresh_from_db()
    assert claim.supports_count == 1
    # Comments go to the comments app's form, which comes back to the claim's discussion.
    post_url = f"/comments/on/proposals.claim/{claim.pk}/"
    response = client.post(post_url, {"body": "   "})
    assert response.status_code == 400 and "Write a comment first." in response.content.decode()
    response = client.post(post_url, {"body": "Bella idea 🌱"})
    assert response.status_code == 302 and response["Location"].startswith(url + "#comment-")
    response = client.post(url, {"action": "object", "objection-reason": ""})
    assert response.status_code == 400
    response = client.post(url, {"action": "object", "objection-reason": "Noise at night."})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Bella idea 🌱" in html and "Noise at night." in html and "Objection" in html
    # Unverified users get a clear 403, never a 500.
    client.force_login(user_create())
    response = client.post(f"/claims/{claim.pk}/support/", {"action": "add"})
    assert response.status_code == 403
    assert "verified residency" in response.content.decode()


def test_withdraw_asks_for_confirmation_and_a_reason(client):
    author = resident_create()
    claim = claim_in_state(S.CONSULTATION, author=author)
    client.force_login(author)
    html = client.get(f"/claims/{claim.pk}/withdraw/").content.decode()
    assert "Withdraw this claim?" in html and "cannot be undone" in html
    assert client.post(f"/claims/{claim.pk}/withdraw/", {"reason": ""}).status_code == 400
    client.post(f"/claims/{claim.pk}/withdraw/", {"reason": "No time left."})
    claim.refresh_from_db()
    assert claim.state == S.WITHDRAWN
    assert "No time left." in client.get(claim.get_absolute_url()).content.decode()
    client.force_login(resident_create())
    assert client.get(f"/claims/{claim.pk}/withdraw/").status_code == 403


def test_drafts_are_deleted_after_confirmation(client):
    author = resident_create()
    claim = claim_in_state(S.DRAFT, author=author)
    client.force_login(author)
    assert "Delete this draft?" in client.get(f"/claims/{claim.pk}/delete/").content.decode()
    client.post(f"/claims/{claim.pk}/delete/")
    assert not Claim.objects.filter(pk=claim.pk).exists()


def test_documents_are_sent_from_their_page(client):
    author = resident_create()
    claim = claim_in_state(S.AWAITING_DOCUMENTS, author=author)
    client.force_login(author)
    html = client.get(f"/claims/{claim.pk}/documents/").content.decode()
    assert "Send the insurance." in html
    assert client.post(f"/claims/{claim.pk}/documents/", {"note": ""}).status_code == 400
    response = client.post(
        f"/claims/{claim.pk}/documents/", {"note": "Here it is.", "attachments": [png_upload()]}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == S.SCREENING and claim.attachments.count() == 1


def test_coauthor_invitation_through_the_page(client):
    author, friend = resident_create(), resident_create()
    claim = claim_in_state(S.DRAFT, author=author)
    client.force_login(author)
    response = client.post(
        f"/claims/{claim.pk}/coauthors/", {"email": "nobody@example.org"}, follow=True
    )
    assert "No verified resident" in response.content.decode()
    client.post(f"/claims/{claim.pk}/coauthors/", {"email": friend.email})
    client.force_login(friend)
    html = client.get("/claims/mine/").content.decode()
    assert "Invitations to co-author" in html and claim.title in html
    assert "You are invited to co-author" in client.get(claim.get_absolute_url()).content.decode()
    client.post(f"/claims/{claim.pk}/coauthors/answer/", {"answer": "accept"})
    assert friend.pk in Claim.objects.get(pk=claim.pk).proposer_ids


def test_reports_and_hiding_through_the_pages(client):
    from citizens.rules import Role
    from comments import services as comment_services

    claim = claim_in_state(S.CONSULTATION)
    comment = comment_services.comment_post(
        author=resident_create(), target=claim, body="Nasty words"
    )
    reader = resident_create()
    client.force_login(reader)
    assert client.get(f"/comments/{comment.pk}/hide/").status_code == 403
    assert client.get("/office/moderation/").status_code == 403
    client.post(f"/comments/{comment.pk}/report/", {"reason": "Offensive"})
    moderator = user_create(roles=[Role.MODERATOR])
    client.force_login(moderator)
    html = client.get("/office/moderation/").content.decode()
    assert "Nasty words" in html and "Offensive" in html
    assert client.post(f"/comments/{comment.pk}/hide/", {"reason": ""}).status_code == 400
    client.post(f"/comments/{comment.pk}/hide/", {"reason": "Insults"})
    client.logout()
    html = client.get(claim.get_absolute_url()).content.decode()
    assert "Hidden by moderation: Insults" in html and "Nasty words" not in html
    assert "No open reports." in _moderation_page(client, moderator)


def _moderation_page(client, moderator):
    client.force_login(moderator)
    return client.get("/office/moderation/").content.decode()
