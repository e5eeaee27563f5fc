from django.http import Http404, HttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from proposals.views.claims import get_visible_claim


@require_GET
def attachment_download(request, pk, attachment_pk):
    """Serve an attachment after checking the claim is visible to the user.

    The content type is the one established by sniffing at upload; `nosniff` stops the browser
    from guessing another; PDFs download rather than render in the site's origin. Files are
    small (the upload limit), so they are read whole: no sync iterator under ASGI.
    """
    claim = get_visible_claim(request, pk)
    attachment = next((a for a in claim.attachments.all() if a.pk == attachment_pk), None)
    if attachment is None:
        raise Http404
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()
    except OSError:
        raise Http404 from None
    inline = attachment.content_type.startswith("image/")
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(
        not inline, attachment.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    if claim.is_draft:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=3600)
    return response
