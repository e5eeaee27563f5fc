from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.census import CensusImportError, census_import
from citizens.forms import CensusUploadForm
from citizens.models import CensusRecord, CivicGroup, Department, Membership, User
from citizens.rules import can_import_census


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "department", "is_staff", "verified_at"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups", "department"]
    search_fields = ["email", "display_name"]
    list_select_related = ["department"]
    readonly_fields = ["census_record", "verified_at", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            gettext_lazy("Profile"),
            {"fields": ("display_name", "preferred_language", "notify_by_email", "department")},
        ),
        (gettext_lazy("Residency"), {"fields": ("census_record", "verified_at")}),
        (
            gettext_lazy("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (gettext_lazy("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "email"]
    prepopulated_fields = {"slug": ["name"]}


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(CivicGroup)
class CivicGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(CensusRecord)
class CensusRecordAdmin(admin.ModelAdmin):
    list_display = ["identity_hash", "district", "birth_year", "imported_at"]
    list_filter = ["district"]
    readonly_fields = ["identity_hash", "district", "birth_year", "imported_at"]
    change_list_template = "admin/citizens/censusrecord/change_list.html"

    def has_add_permission(self, request):
        return False

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="citizens_censusrecord_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not can_import_census(request.user):
            raise PermissionDenied(_("You may not import the census."))
        form = CensusUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = census_import(data=form.cleaned_data["file"].read(), actor=request.user)
            except CensusImportError as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Census imported: %(created)s new, %(updated)s updated, %(unchanged)s "
                        "unchanged."
                    )
                    % vars(report),
                )
                return redirect("admin:citizens_censusrecord_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "title": _("Import the census"),
            "opts": self.model._meta,
        }
        return render(request, "admin/citizens/censusrecord/import.html", context)
