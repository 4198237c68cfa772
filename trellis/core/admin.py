"""Django admin, for platform operators (staff). A staff member who belongs to a district sees
only that district's rows; only superusers see every district."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from trellis.core.models import DemoAccount


class TenantAdmin(admin.ModelAdmin):
    """A ModelAdmin whose rows are filtered to the staff member's own district."""

    district_field = "district"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        user: Any = request.user
        if user.is_superuser:
            return queryset
        if getattr(user, "district_id", None) is None:
            return queryset.none()
        return queryset.filter(**{f"{self.district_field}_id": user.district_id})


admin.site.register(DemoAccount)
