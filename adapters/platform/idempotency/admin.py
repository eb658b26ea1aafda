from django.contrib import admin

from adapters.platform.admin import ReadOnlyAdmin
from adapters.platform.idempotency.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdmin):
    """Stored answers to idempotent requests: for support, read-only (deleting one would let a
    retry run the operation a second time)."""

    list_display = ("key", "user", "status_code", "created_at")
    list_filter = ("status_code", "created_at")
    search_fields = ("=key", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    date_hierarchy = "created_at"
