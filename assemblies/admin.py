from django.contrib import admin

from assemblies.models import (
    Adherence,
    AgendaItem,
    Assembly,
    CharterVersion,
    Document,
    Meeting,
    Membership,
    Registration,
)


class CharterInline(admin.TabularInline):
    model = CharterVersion
    extra = 0
    fields = ("number", "quorum_percent", "majority", "created_by", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Assembly)
class AssemblyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "district", "membership_policy", "created_at")
    list_filter = ("kind", "membership_policy")
    search_fields = ("name", "slug", "district")
    raw_id_fields = ("accord", "created_by")
    inlines = [CharterInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("assembly", "user", "role", "state", "created_at")
    list_filter = ("state", "role", "assembly")
    search_fields = ("user__email", "user__display_name", "assembly__name")
    raw_id_fields = ("assembly", "user", "decided_by")
    # States move through the services (core.fsm), never by hand.
    readonly_fields = ("state",)


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ("title", "assembly", "kind", "state", "starts_at", "capacity")
    list_filter = ("state", "kind", "assembly")
    search_fields = ("title", "place")
    date_hierarchy = "starts_at"
    raw_id_fields = ("assembly", "chair", "created_by")
    readonly_fields = ("state", "reminded_at")
    inlines = [AgendaInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("meeting", "user", "state", "code", "checked_in_at", "attended_online")
    list_filter = ("state", "attended_online")
    search_fields = ("code", "user__email", "meeting__title")
    raw_id_fields = ("meeting", "user", "checked_in_by")
    readonly_fields = ("state", "code")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "assembly", "original_name", "size", "uploaded_at")
    raw_id_fields = ("assembly", "uploaded_by")


@admin.register(Adherence)
class AdherenceAdmin(admin.ModelAdmin):
    list_display = ("group", "assembly", "since")
    raw_id_fields = ("group", "assembly", "by")
