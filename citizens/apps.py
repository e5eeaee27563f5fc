from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from citizens.rules import sync_role_groups

    sync_role_groups()


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = _("Citizens")

    def ready(self):
        # After the last app migrates, every permission exists.
        post_migrate.connect(_sync_roles, dispatch_uid="citizens.sync_roles")
