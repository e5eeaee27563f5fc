"""The PDF of a signed version (WeasyPrint): parties, every section, support, signatures and
the fingerprint, so the paper copy can be checked against the registry.

Rendering takes seconds, so it is a background task (`version_pdf_render`): the first request
for a version's PDF in a language queues it, and the file, kept outside the public media
folder, is served from then on (a signed version never changes)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from accords.diff import party_line, support_line
from accords.models import AccordVersion
from accords.models.versions import CONTENT_TEXT_FIELDS
from core.tasks import PermanentError, background

# A page asking for a PDF queues its rendering at most this often (seconds).
REQUEUE_AFTER = 60


def version_sections(version: AccordVersion) -> list[tuple[str, str]]:
    meta = AccordVersion._meta
    return [
        (str(meta.get_field(name).verbose_name).capitalize(), getattr(version, name))
        for name in CONTENT_TEXT_FIELDS
        if name != "title" and getattr(version, name)
    ]


def version_pdf(version: AccordVersion, *, base_url: str, language: str | None = None) -> bytes:
    from weasyprint import HTML

    with translation.override(language or translation.get_language()):
        html = render_to_string(
            "accords/version_pdf.html",
            {
                "version": version,
                "accord": version.accord,
                "parties": [party_line(p) for p in version.parties],
                "sections": version_sections(version),
                "support": [(i, support_line(i)) for i in version.support_items.all()],
                "signatures": list(
                    version.signatures.select_related("party__department", "party__group")
                ),
                "base_url": base_url,
            },
        )
    return HTML(string=html, base_url=base_url).write_pdf()


def pdf_path(version: AccordVersion, language: str) -> Path:
    """Where the PDF of a signed version is kept: private media, named by its fingerprint."""
    root = getattr(settings, "PRIVATE_MEDIA_ROOT", None) or f"{settings.MEDIA_ROOT}-private"
    name = f"{version.pk}-{version.fingerprint[:16]}-{language}.pdf"
    return Path(root) / "accord-pdfs" / name


@background
def version_pdf_render(*, version_id: int, language: str) -> dict:
    """Render and store the PDF of a signed version in `language`."""
    version = AccordVersion.objects.select_related("accord").filter(pk=version_id).first()
    if version is None or not version.is_signed:
        raise PermanentError(f"Version {version_id} is not a signed version.")
    path = pdf_path(version, language)
    if not path.exists():
        data = version_pdf(version, base_url=f"{settings.SITE_URL}/", language=language)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file
    return {"path": path.name, "bytes": path.stat().st_size}


def version_pdf_file(version: AccordVersion, *, language: str) -> Path | None:
    """The stored PDF of a signed version, or None once its rendering is queued."""
    path = pdf_path(version, language)
    if not path.exists() and cache.add(f"accords:pdf:{path.name}", 1, REQUEUE_AFTER):
        version_pdf_render.enqueue(version_id=version.pk, language=language)
    return path if path.exists() else None
