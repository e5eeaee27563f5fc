"""Admin plumbing shared by every app."""


class ReadOnlyAdminMixin:
    """A model admin (or inline) that only shows: records that change only through their
    services (audited, notified, checked) are never added, edited or deleted here.

    Put it first: ``class BallotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin)``.
    """

    can_delete = False  # inlines: no "delete" box on each row

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
