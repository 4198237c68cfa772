"""Django admin for frameworks (platform operators). Frameworks change through the CASE
importer (``trellis framework import`` or the upload page), which validates the whole package
and keeps the prerequisite graph acyclic; the admin therefore shows them read-only, filtered to
the staff member's own district like every tenant table."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from trellis.core.admin import TenantAdmin
from trellis.frameworks.models import Framework, Standard, StandardAssociation


class ReadOnlyTenantAdmin(TenantAdmin):
    """Rows written only by the importer: browse them, do not edit them here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyTenantAdmin):
    list_display = ["title", "district", "identifier", "adoption_status", "imported_at"]
    list_filter = ["district"]
    search_fields = ["title", "identifier", "creator"]


@admin.register(Standard)
class StandardAdmin(ReadOnlyTenantAdmin):
    district_field = "framework__district"
    list_display = ["code", "item_type", "grade", "domain", "framework"]
    list_filter = ["framework", "grade", "item_type"]
    search_fields = ["code", "statement", "identifier"]
    list_select_related = ["framework"]


@admin.register(StandardAssociation)
class StandardAssociationAdmin(ReadOnlyTenantAdmin):
    district_field = "framework__district"
    list_display = ["association_type", "origin", "destination", "framework"]
    list_filter = ["association_type", "framework"]
    search_fields = ["identifier", "origin__code", "destination__code"]
    list_select_related = ["framework", "origin", "destination"]
