"""Photos of activity reports: images only, checked by their content, re-encoded.

Re-encoding drops everything but the pixels (EXIF, GPS position, embedded payloads), so a
photo published in the registry cannot reveal where or on which phone it was taken.
"""

import io
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format -> (content type, extension, save options). No GIF, no SVG (scripts).
FORMATS = {
    "JPEG": ("image/jpeg", "jpg", {"quality": 88, "optimize": True}),
    "PNG": ("image/png", "png", {"optimize": True}),
    "WEBP": ("image/webp", "webp", {"quality": 88}),
}


def max_photo_bytes() -> int:
    return getattr(settings, "ACCORDS_PHOTO_MAX_BYTES", 5 * 1024 * 1024)


def max_photos_per_report() -> int:
    return getattr(settings, "ACCORDS_PHOTOS_PER_REPORT", 6)


def max_photo_pixels() -> int:
    return getattr(settings, "ACCORDS_PHOTO_MAX_PIXELS", 40_000_000)


@dataclass(frozen=True)
class CheckedPhoto:
    content: ContentFile
    content_type: str
    extension: str
    original_name: str
    width: int
    height: int


def safe_name(name: str, extension: str) -> str:
    """The uploader's file name for display only: no path, no control characters."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(
        ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C"
    )
    stem = PurePath(base).stem.strip(" .")[:120] or "photo"
    return f"{stem}.{extension}"


def check_photo(upload) -> CheckedPhoto:
    name = getattr(upload, "name", "") or "photo"
    shown = safe_name(name, "")[:-1]
    limit = max_photo_bytes()
    if not upload.size:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": shown}, code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("The photo “%(name)s” is %(size)s; the limit is %(limit)s.")
            % {"name": shown, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    wrong = ValidationError(
        _(
            "“%(name)s” is not a photo (JPEG, PNG or WebP). Its content was checked, not only "
            "its name."
        )
        % {"name": shown},
        code="wrong_type",
    )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            if probe.width * probe.height > max_photo_pixels():
                raise ValidationError(
                    _("The photo “%(name)s” has too many pixels.") % {"name": shown},
                    code="too_many_pixels",
                )
            probe.verify()
        if image_format not in FORMATS:
            raise wrong
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            if image_format == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            content_type, extension, options = FORMATS[image_format]
            out = io.BytesIO()
            image.save(out, format=image_format, **options)
            width, height = image.size
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise wrong from None
    return CheckedPhoto(
        content=ContentFile(out.getvalue(), name=f"photo.{extension}"),
        content_type=content_type,
        extension=extension,
        original_name=safe_name(name, extension),
        width=width,
        height=height,
    )
