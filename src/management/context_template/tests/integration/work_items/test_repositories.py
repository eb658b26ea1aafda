"""The work items repository on the database: every read and write scoped to the organization,
the constraints held by the database itself, keyset pages forward and back."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from adapters.work_items import models
from adapters.work_items.repositories import DjangoWorkItemRepository, DjangoWorkItemsUnitOfWork
from contexts.work_items.domain.errors import WorkItemNameTaken, WorkItemNotFound
from kernel.pagination import PageRequest
from kernel.tenancy import OrganizationId

pytestmark = pytest.mark.django_db

ORG, OTHER_ORG = OrganizationId(1), OrganizationId(2)


@pytest.fixture
def repository() -> DjangoWorkItemRepository:
    return DjangoWorkItemRepository()


def test_every_read_and_write_is_scoped_to_the_organization(
    repository: DjangoWorkItemRepository,
) -> None:
    theirs = repository.add(organization_id=OTHER_ORG, name="Theirs")

    with pytest.raises(WorkItemNotFound):
        repository.get(ORG, theirs.id)
    with pytest.raises(WorkItemNotFound), DjangoWorkItemsUnitOfWork():
        repository.lock(ORG, theirs.id)
    with pytest.raises(WorkItemNotFound):
        repository.remove(ORG, theirs.id)
    theirs.organization_id = ORG
    theirs.rename("Mine now")
    repository.save(theirs)  # scoped to ORG, which has no such row: nothing changes

    row = models.WorkItem.objects.get(pk=theirs.id)
    assert (row.organization_id, row.name) == (OTHER_ORG, "Theirs")
    assert repository.list_page(ORG, PageRequest(size=10)).items == []


def test_a_name_is_unique_per_organization_in_the_database(
    repository: DjangoWorkItemRepository,
) -> None:
    repository.add(organization_id=ORG, name="Apollo")
    gemini = repository.add(organization_id=ORG, name="Gemini")

    with pytest.raises(WorkItemNameTaken):
        repository.add(organization_id=ORG, name="Apollo")
    gemini.rename("Apollo")
    with pytest.raises(WorkItemNameTaken):
        repository.save(gemini)
    repository.add(organization_id=OTHER_ORG, name="Apollo")

    assert models.WorkItem.objects.filter(name="Apollo").count() == 2
    assert repository.get(ORG, gemini.id).name == "Gemini"


def test_the_database_refuses_blank_names() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        models.WorkItem.objects.create(organization_id=ORG, name="")


def test_a_change_is_kept_only_when_the_unit_of_work_commits(
    repository: DjangoWorkItemRepository,
) -> None:
    apollo = repository.add(organization_id=ORG, name="Apollo")

    with DjangoWorkItemsUnitOfWork() as uow:
        locked = uow.work_items.lock(ORG, apollo.id)
        locked.rename("Rolled back")
        uow.work_items.save(locked)
    with DjangoWorkItemsUnitOfWork() as uow:
        locked = uow.work_items.lock(ORG, apollo.id)
        locked.rename("Artemis")
        uow.work_items.save(locked)
        uow.commit()

    assert repository.get(ORG, apollo.id).name == "Artemis"


def test_pages_walk_newest_first_forward_and_back(repository: DjangoWorkItemRepository) -> None:
    ids = [repository.add(organization_id=ORG, name=f"Item {n}").id for n in range(7)]
    repository.add(organization_id=OTHER_ORG, name="Theirs")

    first = repository.list_page(ORG, PageRequest(size=3))
    second = repository.list_page(ORG, PageRequest(size=3, cursor=first.next_cursor))
    third = repository.list_page(ORG, PageRequest(size=3, cursor=second.next_cursor))
    back = repository.list_page(ORG, PageRequest(size=3, cursor=third.previous_cursor))

    newest_first = ids[::-1]
    assert [item.id for item in first.items + second.items + third.items] == newest_first
    assert (first.previous_cursor, third.next_cursor) == (None, None)
    assert [item.id for item in back.items] == newest_first[3:6]
