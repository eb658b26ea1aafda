"""The outbox in the admin: read-only, since only the relay and the worker may move a message
along, with one way to act: sending failed messages again."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from adapters.platform.admin import ReadOnlyAdmin
from adapters.platform.outbox import relay
from adapters.platform.outbox.models import OutboxMessage, ProcessedEvent, Status


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    """Integration events and how their delivery went; ``failed`` ones need a look."""

    list_display = ("id", "name", "version", "status", "attempts", "created_at", "finished_at")
    list_filter = ("status", "name")
    search_fields = ("=id", "name", "last_error")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = (
        "id",
        "name",
        "version",
        "payload",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "published_at",
        "finished_at",
    )
    actions = ("retry_failed",)

    @admin.action(description="Retry the selected failed messages", permissions=["retry"])
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        ids = list(queryset.filter(status=Status.FAILED).values_list("pk", flat=True))
        retried = relay.retry_failed(ids)
        self.message_user(
            request, f"{retried} failed message(s) sent again; the others were left alone."
        )

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("outbox.change_outboxmessage")


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(ReadOnlyAdmin):
    """The inbox: which handler has taken effect for which event (deleting a row would let a
    redelivery run that handler a second time)."""

    list_display = ("event_id", "handler", "processed_at")
    list_filter = ("handler",)
    search_fields = ("=event_id", "handler")
    date_hierarchy = "processed_at"
    ordering = ("-processed_at",)
