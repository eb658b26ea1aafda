"""E109: admin widgets for foreign keys to large tables (creed 7)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.core import checks
from django.db import models

from adapters.platform.checks.discovery import (
    Messages,
    is_first_party,
    is_first_party_model,
)

# Tables big enough that an admin <select> listing every row would be slow or leak data, as
# "app_label.ModelName". The user model (settings.AUTH_USER_MODEL) is always one of them.
LARGE_TABLES: frozenset[str] = frozenset()

# --- E109: admin widgets for large foreign keys ---------------------------------------------------


def _admins(site: admin.AdminSite) -> Iterator[tuple[type[Any], type[models.Model]]]:
    """(admin class, model) of every registered ModelAdmin and of each of its inlines."""
    # AdminSite has no public way to list its registrations; _registry is what admin checks use.
    for model, model_admin in site._registry.items():
        if not (is_first_party_model(model) or is_first_party(type(model_admin))):
            continue
        yield type(model_admin), model
        for inline in model_admin.inlines:
            yield inline, model


def _parent_link(inline: type[Any], parent: type[models.Model]) -> models.Field[Any, Any] | None:
    """The inline's foreign key to the object it is edited with (shown as that object)."""
    child: type[models.Model] = inline.model
    fk_name = getattr(inline, "fk_name", None)
    for candidate in child._meta.get_fields():
        if not isinstance(candidate, models.ForeignKey):
            continue
        related = candidate.related_model
        if fk_name == candidate.name or (
            fk_name is None and isinstance(related, type) and issubclass(parent, related)
        ):
            return candidate
    return None


@checks.register(checks.Tags.admin)
def check_admin_large_foreign_keys(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    site: admin.AdminSite | None = None,
    large_tables: Iterable[str] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 7: an admin form renders a foreign key as a <select> of every row of the target
    table. For users (and any table in LARGE_TABLES) that is one huge page per form, and a list
    of every account to whoever opens it: use raw_id_fields or autocomplete_fields. Applies to
    ModelAdmins and their inlines, for editable fields that are neither read-only nor excluded;
    an inline's link to its parent is not rendered and is exempt."""
    site = admin.site if site is None else site
    tables = {str(settings.AUTH_USER_MODEL).lower()}
    tables |= {label.lower() for label in (LARGE_TABLES if large_tables is None else large_tables)}
    messages: Messages = []
    for admin_class, parent in _admins(site):
        model: type[models.Model] = (
            admin_class.model if issubclass(admin_class, InlineModelAdmin) else parent
        )
        parent_link = _parent_link(admin_class, parent) if model is not parent else None
        covered = {
            *getattr(admin_class, "raw_id_fields", ()),
            *getattr(admin_class, "autocomplete_fields", ()),
            *getattr(admin_class, "readonly_fields", ()),
            *(getattr(admin_class, "exclude", None) or ()),
        }
        for relation in model._meta.get_fields():
            if not isinstance(relation, (models.ForeignKey, models.ManyToManyField)):
                continue
            related = relation.related_model
            if not isinstance(related, type) or related._meta.label_lower not in tables:
                continue
            if not relation.editable or relation.name in covered or relation is parent_link:
                continue
            through = getattr(relation.remote_field, "through", None)
            if through is not None and not through._meta.auto_created:
                continue  # a many-to-many with its own through model is edited by an inline
            messages.append(
                checks.Error(
                    f"{admin_class.__qualname__} renders {model._meta.label}.{relation.name} "
                    f"(a link to the large table {related._meta.label}) as a select of every "
                    "row.",
                    hint=f"Add '{relation.name}' to raw_id_fields (or to autocomplete_fields, "
                    f"with search_fields on {related._meta.label}'s admin), or to "
                    "readonly_fields if it is not edited there.",
                    obj=admin_class,
                    id="bastion.E109",
                )
            )
    return messages
