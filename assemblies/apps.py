from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    name = "assemblies"
    label = "assemblies"
    verbose_name = _("Assemblies of the Commons")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from assemblies import rules  # noqa: F401 - registers the assemblies' policies
