"""Template helpers of the kernel: ask the model, never compare state strings.

{% load kernel %}
{% state_badge claim %}              -> <span class="badge ok">Approved</span>
{% if claim|can_fire:"withdraw" %}   -> the transition may leave the current state
{{ amount|money }}                    -> "€260.00" (en), "260,00 €" (it)
"""

from django import template
from django.utils.html import format_html

from core.fsm import machine_of
from core.money import money_format

register = template.Library()


@register.simple_tag
def state_badge(obj, testid=""):
    """The state's label in a badge toned by the machine (`testid`: a data-testid for tests)."""
    machine = machine_of(obj)
    state = machine.state_of(obj)
    display = getattr(obj, f"get_{machine.field}_display", None)
    label = display() if display else state
    tone = machine.tone(state)
    if testid:
        return format_html('<span class="badge {}" data-testid="{}">{}</span>', tone, testid, label)
    return format_html('<span class="badge {}">{}</span>', tone, label)


@register.filter
def can_fire(obj, name: str) -> bool:
    return machine_of(obj).can(obj, name)


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """An amount of money in the active language's format (core.money)."""
    return money_format(amount, currency)
