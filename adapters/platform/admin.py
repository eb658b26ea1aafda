from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from adapters.platform.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin[IdempotencyRecord]):
    """Stored answers to idempotent requests: for support, read-only (deleting one would let a
    retry run the operation a second time)."""

    list_display = ("key", "user", "status_code", "created_at")
    list_filter = ("status_code", "created_at")
    search_fields = ("=key", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
