"""Panels the assemblies' pages include:

{% load assembly_records %}
{% assembly_records_panel assembly %}   {# the assembly page: decisions and opinions #}
{% meeting_records_panel meeting %}     {# the meeting page: attendance and minutes #}
"""

from django import template

from assemblies.records import selectors
from assemblies.records.rules import coordinated_assemblies, records_policy

register = template.Library()


@register.inclusion_tag("assembly_records/includes/assembly_panel.html", takes_context=True)
def assembly_records_panel(context, assembly, limit: int = 10):
    user = context["request"].user
    return {
        "assembly": assembly,
        "decisions": list(selectors.public_decisions(assembly)[:limit]),
        "opinions": list(selectors.assembly_opinions(user, assembly)[:limit]),
        "can_draft": assembly.pk in coordinated_assemblies(user),
    }


@register.inclusion_tag("assembly_records/includes/meeting_panel.html", takes_context=True)
def meeting_records_panel(context, meeting):
    user = context["request"].user
    show_attendance = bool(records_policy.allows(user, "view_attendance", meeting))
    show_minutes = bool(records_policy.allows(user, "view_minutes", meeting))
    published = selectors.published_minutes(meeting)
    return {
        "meeting": meeting,
        "show_attendance": show_attendance,
        "show_minutes": show_minutes,
        "counts": selectors.attendance_counts(meeting) if show_attendance else None,
        "minutes": published,
        "decisions_count": meeting.decisions.count() if published else 0,
        "can_attendees": bool(records_policy.allows(user, "view_attendees", meeting)),
    }
