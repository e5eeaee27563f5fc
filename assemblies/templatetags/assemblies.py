from django import template
from django.template import Context
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from assemblies import slots
from assemblies.views_common import qr_svg

register = template.Library()


@register.simple_tag(takes_context=True)
def assembly_slot(context, slot: str, obj=None):
    """Render what other apps registered for `slot` (see assemblies.slots).

    Each filler renders in the page's own context, as `{% include %}` does (the context
    processors ran once for the page: a slot in a list costs no queries per row beyond its
    own), with `object`, `user` and what its `context` returns on top."""
    request = context.get("request")
    parts = []
    for filler in slots.fillers(slot):
        extra = filler.context(request, obj) if filler.context else {}
        if extra is None:
            continue
        template = get_template(filler.template)
        values = {"object": obj, "user": getattr(request, "user", None), **extra}
        if isinstance(context, Context):
            with context.push(**values):
                parts.append(template.template.render(context))
        else:  # pragma: no cover - only ever called from templates
            parts.append(template.render(values, request))
    return mark_safe("".join(parts))  # noqa: S308 - rendered templates, escaped by Django


@register.simple_tag
def qr(data: str):
    """An inline SVG QR code of `data` (drawn on the server)."""
    return mark_safe(qr_svg(data))  # noqa: S308 - SVG made by qrcode from escaped data
