from django.contrib import admin

from cadence.courses.models import Course, Group, Invitation, Item, Membership, Module


class ModuleInline(admin.TabularInline[Module, Course]):
    model = Module
    extra = 0
    fields = ["title", "position", "is_published"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin[Course]):
    list_display = ["title", "slug", "visibility", "enrolment", "pacing", "created_at"]
    list_filter = ["visibility", "enrolment", "pacing"]
    search_fields = ["title", "slug"]
    inlines = [ModuleInline]


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    list_display = ["title", "kind", "course", "module", "position", "is_published"]
    list_filter = ["kind"]
    search_fields = ["title"]
    list_select_related = ["course", "module"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "course", "role", "joined_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "course__title"]
    list_select_related = ["user", "course"]
    raw_id_fields = ["user", "course"]
    filter_horizontal = ["groups"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin[Group]):
    list_display = ["name", "course"]
    search_fields = ["name"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["email", "course", "role", "created_at", "expires_at", "accepted_at", "declined_at"]
    readonly_fields = ["digest"]
