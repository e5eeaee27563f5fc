"""Checking uploaded attachments: type by content (not by name), size, safe names."""

import io
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Pillow format -> (content type, extension). SVG and GIF are left out on purpose: SVG can
# carry scripts and neither is needed for photos.
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}
PDF = ("application/pdf", ".pdf")
MAX_IMAGE_PIXELS = 40_000_000


def max_attachment_bytes() -> int:
    return getattr(settings, "PROPOSALS_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)


def max_attachments_per_claim() -> int:
    return getattr(settings, "PROPOSALS_ATTACHMENTS_PER_CLAIM", 10)


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    kind: str  # "photo" or "document"
    original_name: str
    size: int


def safe_display_name(name: str, extension: str) -> str:
    """The uploader's file name, only for display: no path, no control characters."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    )
    stem = PurePath(base).stem.strip(" .")[:150] or "file"
    return f"{stem}{extension}"


def _read_head(upload, n: int) -> bytes:
    upload.seek(0)
    head = upload.read(n)
    upload.seek(0)
    return head


def check_upload(upload) -> CheckedFile:
    """Accept JPEG/PNG/WebP photos that Pillow can decode, and PDF documents.

    Raises ValidationError with a message the uploader can act on.
    """
    limit = max_attachment_bytes()
    name = getattr(upload, "name", "") or "file"
    if upload.size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": name}, code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The file “%(name)s” is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    head = _read_head(upload, 8)
    if head.startswith(b"%PDF-"):
        content = _read_head(upload, limit + 1)
        if b"%%EOF" not in content[-2048:]:
            raise ValidationError(
                _("The file “%(name)s” is not a complete PDF document.") % {"name": name},
                code="bad_pdf",
            )
        content_type, extension = PDF
        kind = "document"
    else:
        content_type, extension = _check_image(upload, name)
        kind = "photo"
    return CheckedFile(
        content_type=content_type,
        extension=extension,
        kind=kind,
        original_name=safe_display_name(name, extension),
        size=upload.size,
    )


def _check_image(upload, name: str) -> tuple[str, str]:
    wrong_type = ValidationError(
        _(
            "The file “%(name)s” is neither a photo (JPEG, PNG, WebP) nor a PDF document. "
            "Its content was checked, not only its name."
        )
        % {"name": name},
        code="wrong_type",
    )
    data = _read_head(upload, max_attachment_bytes() + 1)
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format = image.format
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(
                    _("The image “%(name)s” is too large in pixels.") % {"name": name},
                    code="too_many_pixels",
                )
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise wrong_type from None
    if image_format not in IMAGE_FORMATS:
        raise wrong_type
    return IMAGE_FORMATS[image_format]
