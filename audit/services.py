from typing import Any

from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEntry


def audit_log(
    *,
    actor,
    action: str,
    obj=None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    actor_label: str = "",
) -> AuditEntry:
    """Record who did what to which object. Call inside the service's transaction."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    label = actor_label or (str(actor) if actor is not None else "system")
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=label[:200],
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before=before,
        after=after,
        reason=reason,
    )
