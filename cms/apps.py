from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_editor_permissions(sender, **kwargs):
    from cms.permissions import sync_editor_permissions

    sync_editor_permissions()


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public pages")

    def ready(self):
        post_migrate.connect(_sync_editor_permissions, dispatch_uid="cms.sync_editor_permissions")
