from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from proposals.models import Claim
from proposals.views.claims import get_visible_claim


@require_GET
def attachment_download(request, pk, attachment_pk):
    """Serve an attachment after checking the claim is visible to the user.

    The content type is the one established by sniffing at upload; `nosniff` stops the browser
    from guessing another; PDFs download rather than render in the site's origin.
    """
    claim = get_visible_claim(request, pk)
    attachment = next((a for a in claim.attachments.all() if a.pk == attachment_pk), None)
    if attachment is None:
        raise Http404
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    inline = attachment.content_type.startswith("image/")
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    if claim.state == Claim.State.DRAFT:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=3600)
    return response
