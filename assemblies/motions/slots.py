"""What motions add to the assemblies' meeting pages (assemblies/slots.py)."""

from assemblies.motions.models import Motion, MotionState
from assemblies.motions.rules import chair_verdict


def meeting_panel(request, meeting):
    motions = Motion.objects.filter(meeting=meeting).exclude(
        state__in=(MotionState.DRAFT, MotionState.DISCARDED)
    )
    user = getattr(request, "user", None)
    can_chair = user is not None and bool(chair_verdict(user, meeting))
    return {"motions": list(motions), "can_chair": can_chair}


def chair_panel(request, meeting):
    user = getattr(request, "user", None)
    if user is None or not chair_verdict(user, meeting):
        return None
    return {}
