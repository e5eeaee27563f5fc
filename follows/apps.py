from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class FollowsConfig(AppConfig):
    name = "follows"
    label = "follows"
    verbose_name = _("Follows and digests")

    def ready(self):
        from follows import registry

        # One line per followable model (assemblies and meetings: add theirs here).
        registry.register(apps.get_model("proposals", "Claim"))
        registry.register(apps.get_model("accords", "Accord"))
        registry.register(apps.get_model("budgeting", "Process"))
        registry.register(apps.get_model("budgeting", "Project"))
