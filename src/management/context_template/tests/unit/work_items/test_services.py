"""The work items rules through the service, against in-memory fakes: roles, validation before
any write, names unique per organization, and another organization's work items out of reach."""

from __future__ import annotations

import pytest

from contexts.work_items.api import WorkItemsApi
from contexts.work_items.application.services import WorkItemService
from contexts.work_items.domain.errors import (
    InvalidWorkItem,
    WorkItemNameTaken,
    WorkItemNotFound,
)
from contexts.work_items.domain.model import WorkItemId
from kernel.actors import Actor, UserId
from kernel.pagination import PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role, RoleTooLow
from tests.unit.work_items.fakes import FakeWorkItemsUnitOfWork

ORG, OTHER_ORG = OrganizationId(1), OrganizationId(2)
MISSING_ID = WorkItemId(999)

# Actors as the tenancy layer hands them over for a request about ORG (OTHER_ORG for THEIRS).
ADMIN = Actor(UserId(10)).with_role(ORG, Role.ADMIN)
MEMBER = Actor(UserId(11)).with_role(ORG, Role.MEMBER)
OUTSIDER = Actor(UserId(12))
THEIRS = Actor(UserId(20)).with_role(OTHER_ORG, Role.OWNER)


@pytest.fixture
def uow() -> FakeWorkItemsUnitOfWork:
    return FakeWorkItemsUnitOfWork()


@pytest.fixture
def service(uow: FakeWorkItemsUnitOfWork) -> WorkItemService:
    return WorkItemService(uow=uow)


def test_creating_stores_the_work_item_in_its_organization(
    service: WorkItemService, uow: FakeWorkItemsUnitOfWork
) -> None:
    created = service.create(actor=ADMIN, organization_id=ORG, name="Apollo")

    assert (created.organization_id, created.name) == (ORG, "Apollo")
    found = service.get(actor=MEMBER, organization_id=ORG, work_item_id=created.id)
    assert found.name == "Apollo"
    assert uow.commits == 1


def test_members_read_and_only_admins_and_owners_write(service: WorkItemService) -> None:
    apollo = service.create(actor=ADMIN, organization_id=ORG, name="Apollo")

    assert service.list(actor=MEMBER, organization_id=ORG, page=PageRequest(size=5)).items
    with pytest.raises(RoleTooLow):
        service.create(actor=MEMBER, organization_id=ORG, name="Gemini")
    with pytest.raises(RoleTooLow):
        service.update(actor=MEMBER, organization_id=ORG, work_item_id=apollo.id, name="Mine")
    with pytest.raises(RoleTooLow):
        service.update(actor=MEMBER, organization_id=ORG, work_item_id=apollo.id)
    with pytest.raises(RoleTooLow):
        service.delete(actor=MEMBER, organization_id=ORG, work_item_id=apollo.id)
    assert service.get(actor=MEMBER, organization_id=ORG, work_item_id=apollo.id).name == "Apollo"


def test_a_non_member_is_told_the_organization_does_not_exist(service: WorkItemService) -> None:
    apollo = service.create(actor=ADMIN, organization_id=ORG, name="Apollo")

    with pytest.raises(OrganizationNotFound):
        service.list(actor=OUTSIDER, organization_id=ORG, page=PageRequest(size=5))
    with pytest.raises(OrganizationNotFound):
        service.get(actor=OUTSIDER, organization_id=ORG, work_item_id=apollo.id)
    with pytest.raises(OrganizationNotFound):
        service.create(actor=THEIRS, organization_id=ORG, name="Intruder")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_names_are_validated_before_anything_is_written(
    service: WorkItemService, uow: FakeWorkItemsUnitOfWork, name: str
) -> None:
    with pytest.raises(InvalidWorkItem) as raised:
        service.create(actor=ADMIN, organization_id=ORG, name=name)

    assert raised.value.field == "name"
    assert (uow.work_items.rows, uow.commits) == ({}, 0)


def test_a_name_is_unique_in_its_organization_only(service: WorkItemService) -> None:
    service.create(actor=ADMIN, organization_id=ORG, name="Apollo")

    with pytest.raises(WorkItemNameTaken):
        service.create(actor=ADMIN, organization_id=ORG, name="Apollo")
    theirs = service.create(actor=THEIRS, organization_id=OTHER_ORG, name="Apollo")
    assert theirs.organization_id == OTHER_ORG


def test_another_organizations_work_item_is_not_found(service: WorkItemService) -> None:
    theirs = service.create(actor=THEIRS, organization_id=OTHER_ORG, name="Theirs")

    with pytest.raises(WorkItemNotFound):
        service.get(actor=ADMIN, organization_id=ORG, work_item_id=theirs.id)
    with pytest.raises(WorkItemNotFound):
        service.update(actor=ADMIN, organization_id=ORG, work_item_id=theirs.id, name="Mine")
    with pytest.raises(WorkItemNotFound):
        service.delete(actor=ADMIN, organization_id=ORG, work_item_id=theirs.id)
    unchanged = service.get(actor=THEIRS, organization_id=OTHER_ORG, work_item_id=theirs.id)
    assert unchanged.name == "Theirs"


def test_updating_validates_and_keeps_names_unique(
    service: WorkItemService, uow: FakeWorkItemsUnitOfWork
) -> None:
    apollo = service.create(actor=ADMIN, organization_id=ORG, name="Apollo")
    service.create(actor=ADMIN, organization_id=ORG, name="Gemini")

    renamed = service.update(
        actor=ADMIN, organization_id=ORG, work_item_id=apollo.id, name="Artemis"
    )

    assert renamed.name == "Artemis"
    with pytest.raises(InvalidWorkItem):
        service.update(actor=ADMIN, organization_id=ORG, work_item_id=apollo.id, name=" ")
    with pytest.raises(WorkItemNameTaken):
        service.update(actor=ADMIN, organization_id=ORG, work_item_id=apollo.id, name="Gemini")
    assert uow.work_items.rows[apollo.id].name == "Artemis"


def test_an_empty_update_changes_nothing(
    service: WorkItemService, uow: FakeWorkItemsUnitOfWork
) -> None:
    apollo = service.create(actor=ADMIN, organization_id=ORG, name="Apollo")

    unchanged = service.update(actor=ADMIN, organization_id=ORG, work_item_id=apollo.id)

    assert unchanged.name == "Apollo"
    assert uow.commits == 1  # the creation's only
    with pytest.raises(WorkItemNotFound):
        service.update(actor=ADMIN, organization_id=ORG, work_item_id=MISSING_ID)


def test_deleting_removes_the_work_item(service: WorkItemService) -> None:
    apollo = service.create(actor=ADMIN, organization_id=ORG, name="Apollo")

    service.delete(actor=ADMIN, organization_id=ORG, work_item_id=apollo.id)

    with pytest.raises(WorkItemNotFound):
        service.get(actor=ADMIN, organization_id=ORG, work_item_id=apollo.id)
    with pytest.raises(WorkItemNotFound):
        service.delete(actor=ADMIN, organization_id=ORG, work_item_id=apollo.id)


def test_the_list_holds_only_the_organizations_own_newest_first(
    service: WorkItemService,
) -> None:
    names = [f"Item {index}" for index in range(5)]
    for name in names:
        service.create(actor=ADMIN, organization_id=ORG, name=name)
    service.create(actor=THEIRS, organization_id=OTHER_ORG, name="Theirs")

    first = service.list(actor=MEMBER, organization_id=ORG, page=PageRequest(size=3))
    second = service.list(
        actor=MEMBER, organization_id=ORG, page=PageRequest(size=3, cursor=first.next_cursor)
    )

    assert [item.name for item in first.items + second.items] == names[::-1]
    assert second.next_cursor is None


def test_the_api_names_only_the_organizations_own(service: WorkItemService) -> None:
    api = WorkItemsApi(work_items=lambda: service)
    apollo = service.create(actor=ADMIN, organization_id=ORG, name="Apollo")

    assert api.name_of(organization_id=ORG, work_item_id=apollo.id) == "Apollo"
    assert api.name_of(organization_id=OTHER_ORG, work_item_id=apollo.id) is None
    assert api.name_of(organization_id=ORG, work_item_id=MISSING_ID) is None
