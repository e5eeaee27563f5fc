from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def under_accord_condition():
    """For the resource registry: a resource is "under accord" while an accord on it is in
    force (active or suspended)."""
    from django.db.models import Exists, OuterRef

    from accords.models import Accord
    from accords.models.accords import IN_FORCE_STATES

    return Exists(Accord.objects.filter(resource=OuterRef("pk"), state__in=sorted(IN_FORCE_STATES)))


class AccordsConfig(AppConfig):
    name = "accords"
    verbose_name = _("Public-commons accords")

    def ready(self):
        from accords import rules  # noqa: F401 - registers the accords' permission policies
        from proposals.models import register_under_accord_condition

        register_under_accord_condition(under_accord_condition)
