"""The work items demo data: made through the service in the organizations created by this run,
so that running ``seed_demo`` again adds nothing."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.work_items import demo, models
from src import container as composition
from tests.factories import make_organization, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_fills_only_the_organizations_created_now(
    container: composition.ApplicationContainer,
) -> None:
    owner = make_user()
    acme = make_organization("Acme", owner=owner)
    world: dict[str, Any] = {"new_organizations": {"Acme": (acme.pk, owner.pk)}}

    demo.seed(container=container.work_items.container, world=world)
    demo.seed(container=container.work_items.container, world={"new_organizations": {}})

    names = models.WorkItem.objects.filter(organization_id=acme.pk).values_list("name", flat=True)
    assert sorted(names) == sorted(demo.DEMO_NAMES)
