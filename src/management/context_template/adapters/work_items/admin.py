from django.contrib import admin

from adapters.work_items.models import WorkItem


@admin.register(WorkItem)
class WorkItemAdmin(admin.ModelAdmin[WorkItem]):
    list_display = ("name", "id", "organization_id", "created_at", "updated_at")
    list_filter = ("created_at",)
    search_fields = ("name", "=organization_id")
    readonly_fields = ("created_at", "updated_at")
    date_hierarchy = "created_at"
