"""What the records app shows in the assemblies' pages (`assemblies.slots`): the assembly
page lists decisions and opinions, the meeting page attendance and the published minutes."""

from assemblies.records import selectors
from assemblies.records.rules import coordinated_assemblies, records_policy

PANEL_SIZE = 10


def assembly_panel(request, assembly) -> dict:
    user = request.user
    return {
        "assembly": assembly,
        "decisions": list(selectors.public_decisions(assembly)[:PANEL_SIZE]),
        "opinions": list(selectors.assembly_opinions(user, assembly)[:PANEL_SIZE]),
        "can_draft": assembly.pk in coordinated_assemblies(user),
    }


def meeting_panel(request, meeting) -> dict | None:
    user = request.user
    show_attendance = bool(records_policy.allows(user, "view_attendance", meeting))
    show_minutes = bool(records_policy.allows(user, "view_minutes", meeting))
    if not (show_attendance or show_minutes):
        return None
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
