"""Give the content editor role Wagtail's page, image and document permissions."""

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COLLECTION_PERMISSIONS = [
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]


def sync_editor_permissions() -> None:
    from citizens.rules import Role

    # Each tree on its own: a database emptied by `flush` (a test's reset) has a page tree
    # again once the home page is made, but no root collection until Wagtail's migration runs.
    root = Page.get_first_root_node()
    collection = Collection.get_first_root_node()
    for role in (Role.CONTENT_EDITOR, Role.ADMINISTRATOR):
        group, _ = Group.objects.get_or_create(name=role.value)
        for codename in PAGE_PERMISSIONS if root is not None else ():
            perm = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename=codename
            ).first()
            if perm:
                GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)
        for app_label, codename in COLLECTION_PERMISSIONS if collection is not None else ():
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=perm
                )
