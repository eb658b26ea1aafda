"""E101, E102: every model has an admin and an informative ``__str__`` (creed 7)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import AppConfig
from django.contrib import admin
from django.core import checks
from django.db import models

from adapters.platform.checks.discovery import (
    Messages,
    first_party_models,
    is_first_party,
)

# --- E101, E102: admin and __str__ for every model ------------------------------------------------


@checks.register(checks.Tags.admin, checks.Tags.models)
def check_models_have_admin(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    model_classes: Iterable[type[models.Model]] | None = None,
    site: admin.AdminSite | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 7: every model has a ModelAdmin, so operators can inspect and fix data without SQL
    (and without a shell on a production box)."""
    site = admin.site if site is None else site
    candidates = first_party_models(app_configs) if model_classes is None else model_classes
    return [
        checks.Error(
            f"Model {model._meta.label} is not registered in the admin site.",
            hint=f"Register a ModelAdmin for it in {model._meta.app_config.name}.admin with "
            "list_display, search_fields, list_filter, read-only audit fields, and "
            "raw_id_fields or autocomplete_fields for foreign keys to large tables.",
            obj=model,
            id="bastion.E101",
        )
        for model in candidates
        if not site.is_registered(model)
    ]


def _str_owner(model: type[models.Model]) -> type[Any]:
    return next(cls for cls in model.__mro__ if "__str__" in vars(cls))


@checks.register(checks.Tags.models)
def check_models_define_str(
    app_configs: Sequence[AppConfig] | None = None,
    *,
    model_classes: Iterable[type[models.Model]] | None = None,
    **_kwargs: Any,
) -> Messages:
    """Creed 7: every model has an informative ``__str__``; Django's "Membership object (3)"
    (or AbstractBaseUser's bare username) says nothing in the admin, in logs or in a shell.
    The model itself or a first-party base class must define it."""
    messages: Messages = []
    for model in first_party_models(app_configs) if model_classes is None else model_classes:
        owner = _str_owner(model)
        if owner is model or is_first_party(owner):
            continue
        messages.append(
            checks.Error(
                f"Model {model._meta.label} has no __str__ of its own "
                f"(it inherits {owner.__module__}.{owner.__qualname__}.__str__).",
                hint="Define __str__ on the model (or on a first-party abstract base) returning "
                "what a person recognizes it by, e.g. its name or email and its id.",
                obj=model,
                id="bastion.E102",
            )
        )
    return messages
