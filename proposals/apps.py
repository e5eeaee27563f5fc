from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Commons claims")

    def ready(self):
        # The policies register themselves with core.policy, which core.fsm.fire asks.
        from proposals import rules  # noqa: F401
