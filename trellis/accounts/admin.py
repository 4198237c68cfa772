from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from trellis.accounts.actions import do_unlock_account
from trellis.accounts.models import (
    CoachingLink,
    District,
    GuardianLink,
    RoleAssignment,
    School,
    User,
)
from trellis.core.admin import TenantAdmin


@admin.register(District)
class DistrictAdmin(TenantAdmin):
    district_field = "id"
    list_display = ["name", "sourced_id"]
    search_fields = ["name", "sourced_id"]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(id=getattr(request.user, "district_id", None))


@admin.register(School)
class SchoolAdmin(TenantAdmin):
    list_display = ["name", "district", "sourced_id"]
    list_filter = ["district"]
    search_fields = ["name", "sourced_id"]


@admin.register(User)
class UserAdmin(TenantAdmin, BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "school", "district"]
    list_filter = ["role", "district"]
    search_fields = ["username", "first_name", "last_name", "sourced_id"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Trellis", {"fields": ("district", "school", "role", "sourced_id", "preferred_name",
                                "grade", "preferred_language")}),
    )
    actions = ["unlock_sign_in"]

    @admin.action(description="Unlock sign-in (clear failed sign-ins)")
    def unlock_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        unlocked, refused = [], []
        for person in queryset:
            try:
                if do_unlock_account(person, actor=request.user):  # type: ignore[arg-type]
                    unlocked.append(person.username)
            except PermissionError:
                refused.append(person.username)
        if unlocked:
            self.message_user(request, f"Unlocked: {', '.join(unlocked)}.", messages.SUCCESS)
        elif not refused:
            self.message_user(request, "Nobody selected was locked out.", messages.INFO)
        if refused:
            self.message_user(
                request, f"Only a platform operator or their district administrator may unlock: "
                f"{', '.join(refused)}.", messages.WARNING,
            )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(TenantAdmin):
    list_display = ["user", "role", "school", "is_primary"]
    list_filter = ["role"]
    raw_id_fields = ["user"]


@admin.register(GuardianLink)
class GuardianLinkAdmin(TenantAdmin):
    list_display = ["guardian", "student", "relationship"]
    raw_id_fields = ["guardian", "student"]


@admin.register(CoachingLink)
class CoachingLinkAdmin(TenantAdmin):
    list_display = ["coach", "teacher"]
    raw_id_fields = ["coach", "teacher"]
