"""The PDF of a signed version (WeasyPrint): parties, every section, support, signatures and
the fingerprint, so the paper copy can be checked against the registry."""

from django.template.loader import render_to_string
from django.utils import translation

from accords.diff import party_line, support_line
from accords.models import AccordVersion
from accords.models.versions import CONTENT_TEXT_FIELDS


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
