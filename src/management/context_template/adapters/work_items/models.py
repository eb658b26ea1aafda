"""The work items table. The unique name per organization is a database constraint, so that it
holds under races, which a check in Python alone would not."""

from __future__ import annotations

from django.db import models

from contexts.work_items.domain.model import NAME_MAX_LENGTH


class WorkItem(models.Model):
    # The organization's id, by value: adapters of different contexts never import each other
    # (no foreign key to organizations' table), as billing's accounts do.
    organization_id = models.BigIntegerField()
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization_id", "name"], name="work_items_name_unique"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="work_items_name_not_blank"),
        ]
        indexes = [
            # The list: an organization's work items newest first; the keyset cursor seeks on
            # (created_at, id). Every lookup scoped to an organization uses it too.
            models.Index(
                fields=["organization_id", "-created_at", "-id"], name="work_items_list_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk}, organization #{self.organization_id})"
