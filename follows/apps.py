from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class FollowsConfig(AppConfig):
    name = "follows"
    label = "follows"
    verbose_name = _("Follows and digests")

    def ready(self):
        from core.notify import set_email_router
        from follows import registry, rules, signals  # noqa: F401
        from follows.routing import PreferenceRouter

        # One line per followable model.
        registry.register(apps.get_model("proposals", "Claim"), verb="claim")
        registry.register(apps.get_model("accords", "Accord"), verb="accord")
        registry.register(
            apps.get_model("budgeting", "Process"), view_action="process.view", verb="budgeting"
        )
        registry.register(
            apps.get_model("budgeting", "Project"), view_action="project.view", verb="budgeting"
        )
        if apps.is_installed("assemblies"):
            registry.register(
                apps.get_model("assemblies", "Assembly"),
                view_action="assembly.view",
                verb="assembly",
            )
            registry.register(
                apps.get_model("assemblies", "Meeting"), view_action="meeting.view", verb="assembly"
            )

        signals.connect()
        # Emails follow each person's preferences (immediately, in a digest, or not at all).
        set_email_router(PreferenceRouter())
