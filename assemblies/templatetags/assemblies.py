from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from assemblies import slots
from assemblies.views_common import qr_svg

register = template.Library()


@register.simple_tag(takes_context=True)
def assembly_slot(context, slot: str, obj=None):
    """Render what other apps registered for `slot` (see assemblies.slots)."""
    request = context.get("request")
    parts = []
    for filler in slots.fillers(slot):
        extra = filler.context(request, obj) if filler.context else {}
        if extra is None:
            continue
        parts.append(
            render_to_string(
                filler.template,
                {"object": obj, "user": getattr(request, "user", None), **extra},
                request=request,
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - rendered templates, escaped by Django


@register.simple_tag
def qr(data: str):
    """An inline SVG QR code of `data` (drawn on the server)."""
    return mark_safe(qr_svg(data))  # noqa: S308 - SVG made by qrcode from escaped data
