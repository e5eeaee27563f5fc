from django.db.models import QuerySet

from contributions.models import Contribution
from contributions.rules import ENTRIES, Action


def to_confirm(user) -> QuerySet:
    """The entries this person may confirm now (the workspace count and its list)."""
    return ENTRIES.queryset(
        user,
        Action.CONFIRM,
        base=Contribution.objects.select_related("accord", "support_item").order_by(
            "created_at", "pk"
        ),
    )
