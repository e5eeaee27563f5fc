"""Attachments: checked by content and size, stored under random names, served carefully."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from proposals import services
from proposals.attachments import check_upload, safe_display_name
from proposals.models import Attachment, Claim, private_storage
from tests.citizens.factories import officer_create, resident_create
from tests.proposals.factories import claim_data, claim_in_state, pdf_upload, png_upload

pytestmark = pytest.mark.django_db
S = Claim.State


def test_photos_and_pdfs_are_accepted_and_stored_under_random_names(settings):
    author = resident_create()
    claim = services.claim_create(
        author=author,
        data=claim_data(),
        uploads=[png_upload("../../etc/passwd.png"), pdf_upload("Plan finale.PDF")],
    )
    photo, document = claim.attachments.order_by("id")
    assert (photo.kind, photo.content_type, photo.original_name) == (
        "photo",
        "image/png",
        "passwd.png",
    )
    assert (document.kind, document.content_type, document.original_name) == (
        "document",
        "application/pdf",
        "Plan finale.pdf",
    )
    for a in (photo, document):
        assert a.file.name.startswith(f"claims/{claim.pk}/")
        assert "passwd" not in a.file.name and "Plan" not in a.file.name
        assert private_storage.exists(a.file.name)
        # Not under MEDIA_ROOT, so a web server serving /media/ cannot leak drafts.
        assert not private_storage.path(a.file.name).startswith(str(settings.MEDIA_ROOT) + "/")


def test_a_fake_image_with_a_png_extension_is_refused():
    fake = SimpleUploadedFile("cat.png", b"<script>alert(1)</script>" * 10, "image/png")
    with pytest.raises(ValidationError, match="neither a photo"):
        check_upload(fake)


def test_an_html_file_renamed_to_pdf_and_a_truncated_pdf_are_refused():
    with pytest.raises(ValidationError, match="neither a photo"):
        check_upload(SimpleUploadedFile("doc.pdf", b"<html>hi</html>", "application/pdf"))
    with pytest.raises(ValidationError, match="not a complete PDF"):
        check_upload(SimpleUploadedFile("doc.pdf", b"%PDF-1.4\nno end", "application/pdf"))


def test_gif_and_svg_are_not_accepted():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "GIF")
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("a.gif", buf.getvalue(), "image/gif"))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("a.svg", svg, "image/svg+xml"))


def test_oversize_and_empty_files_are_refused(settings):
    settings.PROPOSALS_ATTACHMENT_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.png", _noisy_png(), "image/png")
    assert big.size > 1000
    with pytest.raises(ValidationError, match="the limit is"):
        check_upload(big)
    with pytest.raises(ValidationError, match="empty"):
        check_upload(SimpleUploadedFile("e.png", b"", "image/png"))


def _noisy_png() -> bytes:
    import random

    rnd = random.Random(1)
    image = Image.new("RGB", (64, 64))
    image.putdata([tuple(rnd.randrange(256) for _ in range(3)) for _ in range(4096)])
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def test_safe_display_names():
    assert safe_display_name("C:\\Users\\me\\photo.JPG", ".jpg") == "photo.jpg"
    assert safe_display_name("a\x00b\nc.png", ".png") == "abc.png"
    assert safe_display_name("...", ".pdf") == "file.pdf"


def test_attachments_only_while_editable_and_within_the_limit(settings):
    settings.PROPOSALS_ATTACHMENTS_PER_CLAIM = 2
    author = resident_create()
    claim = claim_in_state(S.DRAFT, author=author)
    services.attachment_add(actor=author, claim=claim, upload=png_upload())
    services.attachment_add(actor=author, claim=claim, upload=png_upload())
    with pytest.raises(ValidationError, match="At most 2"):
        services.attachment_add(actor=author, claim=claim, upload=png_upload())
    submitted = claim_in_state(S.SUBMITTED, author=author)
    with pytest.raises(ValidationError):
        services.attachment_add(actor=author, claim=submitted, upload=png_upload())


def test_a_failed_upload_leaves_no_file_behind(settings):
    settings.PROPOSALS_ATTACHMENTS_PER_CLAIM = 1
    author = resident_create()
    claim = claim_in_state(S.DRAFT, author=author)
    with pytest.raises(ValidationError):
        services.claim_provide_documents(actor=author, claim=claim, note="x")
    claim = claim_in_state(S.AWAITING_DOCUMENTS, author=author, uploads=[png_upload()])
    folder = f"claims/{claim.pk}"
    before = set(private_storage.listdir(folder)[1])
    with pytest.raises(ValidationError, match="At most 1"):
        services.claim_provide_documents(
            actor=author, claim=claim, note="x", uploads=[png_upload()]
        )
    assert set(private_storage.listdir(folder)[1]) == before


def test_removing_an_attachment_deletes_its_file(django_capture_on_commit_callbacks):
    author = resident_create()
    claim = claim_in_state(S.DRAFT, author=author, uploads=[png_upload()])
    attachment = claim.attachments.get()
    name = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(actor=author, attachment=attachment)
    assert not private_storage.exists(name)


# Serving --------------------------------------------------------------------------------


def test_attachments_are_served_with_their_type_and_nosniff(client):
    claim = claim_in_state(S.SUBMITTED, uploads=[png_upload(), pdf_upload()])
    photo, document = claim.attachments.order_by("id")
    response = client.get(photo.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content.startswith(b"\x89PNG")
    response = client.get(document.get_absolute_url())
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


def test_draft_attachments_are_private_to_the_proposers(client):
    author = resident_create()
    claim = claim_in_state(S.DRAFT, author=author, uploads=[png_upload()])
    url = claim.attachments.get().get_absolute_url()
    assert client.get(url).status_code == 404
    client.force_login(resident_create())
    assert client.get(url).status_code == 404
    client.force_login(officer_create())
    assert client.get(url).status_code == 404
    client.force_login(author)
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_attachment_of_another_claim_or_a_missing_file_is_a_404(client):
    claim = claim_in_state(S.SUBMITTED, uploads=[png_upload()])
    other = claim_in_state(S.SUBMITTED, uploads=[png_upload()])
    attachment = other.attachments.get()
    assert client.get(f"/claims/{claim.pk}/attachments/{attachment.pk}/").status_code == 404
    private_storage.delete(attachment.file.name)
    assert client.get(attachment.get_absolute_url()).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()
