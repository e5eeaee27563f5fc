"""{% load audit %} {{ entry.action|audit_label }} -> the action's translated name."""

from django import template

from audit.labels import audit_label as label_of

register = template.Library()


@register.filter
def audit_label(action: str) -> str:
    return label_of(action or "")
