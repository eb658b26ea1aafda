"""``manage.py seed_demo`` loads every installed context's demo data, and a second run changes
nothing (``make run`` runs it on every start)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"identity", "organizations", "billing"}
    }


def test_seed_demo_loads_the_demo_data_once() -> None:
    output = StringIO()
    call_command("seed_demo", stdout=output)
    first = row_counts()
    call_command("seed_demo", stdout=StringIO())

    assert "Demo data ready." in output.getvalue()
    assert first.get("identity.User", 0) >= 6
    assert first.get("organizations.Membership", 0) >= 6
    assert row_counts() == first
