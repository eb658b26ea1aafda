"""Organizations' role rules through the service, against in-memory fakes."""

from __future__ import annotations

import pytest

from contexts.organizations.api import OrganizationsApi
from contexts.organizations.application.services import OrganizationService
from contexts.organizations.domain.errors import (
    AlreadyMember,
    InvalidOrganization,
    LastOwner,
    MemberNotFound,
    OrganizationNotFound,
    OwnerRequired,
    RoleTooLow,
    UnknownUser,
)
from contexts.organizations.domain.events import OrganizationCreated
from contexts.organizations.domain.model import Membership, OrganizationId
from kernel.pagination import PageRequest
from kernel.tenancy import Role
from tests.unit.organizations.fakes import (
    Card,
    FakeOrganizationsUnitOfWork,
    FakeUserDirectory,
    RecordingEventPublisher,
)

OWNER, ADMIN, MEMBER, OUTSIDER, OTHER_OWNER = 1, 2, 3, 4, 5


@pytest.fixture
def uow() -> FakeOrganizationsUnitOfWork:
    return FakeOrganizationsUnitOfWork()


@pytest.fixture
def events() -> RecordingEventPublisher:
    return RecordingEventPublisher()


@pytest.fixture
def service(
    uow: FakeOrganizationsUnitOfWork, events: RecordingEventPublisher
) -> OrganizationService:
    users = FakeUserDirectory(*(Card(i, f"user{i}@example.com", f"User {i}") for i in range(1, 7)))
    return OrganizationService(uow=uow, users=users, events=events)


@pytest.fixture
def org(service: OrganizationService, uow: FakeOrganizationsUnitOfWork) -> OrganizationId:
    organization = service.create(actor_id=OWNER, name="Acme")
    uow.memberships.add(Membership(organization.id, ADMIN, Role.ADMIN))
    uow.memberships.add(Membership(organization.id, MEMBER, Role.MEMBER))
    return organization.id


def role(uow: FakeOrganizationsUnitOfWork, org: OrganizationId, user_id: int) -> Role | None:
    membership = uow.memberships.get(org, user_id)
    return membership.role if membership else None


def test_the_creator_becomes_owner_and_the_creation_is_announced(
    service: OrganizationService, uow: FakeOrganizationsUnitOfWork, events: RecordingEventPublisher
) -> None:
    created = service.create(actor_id=OWNER, name="Acme")

    assert created.role is Role.OWNER
    assert role(uow, created.id, OWNER) is Role.OWNER
    assert events.events == [OrganizationCreated(organization_id=created.id, owner_id=OWNER)]
    assert uow.commits == 1


@pytest.mark.parametrize("name", ["", "  ", "x" * 101])
def test_names_are_validated(service: OrganizationService, name: str) -> None:
    with pytest.raises(InvalidOrganization):
        service.create(actor_id=OWNER, name=name)


def test_only_members_see_an_organization(
    service: OrganizationService, org: OrganizationId
) -> None:
    assert service.get(actor_id=MEMBER, organization_id=org).role is Role.MEMBER
    with pytest.raises(OrganizationNotFound):
        service.get(actor_id=OUTSIDER, organization_id=org)


def test_members_cannot_rename_admins_can(
    service: OrganizationService, org: OrganizationId
) -> None:
    with pytest.raises(RoleTooLow):
        service.rename(actor_id=MEMBER, organization_id=org, name="Nope")

    assert service.rename(actor_id=ADMIN, organization_id=org, name="Acme 2").name == "Acme 2"


def test_admin_adds_members_but_not_owners(
    service: OrganizationService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    added = service.add_member(
        actor_id=ADMIN, organization_id=org, email="USER4@example.com", role=Role.ADMIN
    )

    assert (added.user_id, added.role, added.name) == (OUTSIDER, Role.ADMIN, "User 4")
    with pytest.raises(OwnerRequired):
        service.add_member(
            actor_id=ADMIN, organization_id=org, email="user5@example.com", role=Role.OWNER
        )
    assert role(uow, org, OTHER_OWNER) is None


def test_a_member_adds_no_one(service: OrganizationService, org: OrganizationId) -> None:
    with pytest.raises(RoleTooLow):
        service.add_member(
            actor_id=MEMBER, organization_id=org, email="user4@example.com", role=Role.MEMBER
        )


def test_adding_twice_or_an_unknown_email_fails(
    service: OrganizationService, org: OrganizationId
) -> None:
    with pytest.raises(AlreadyMember):
        service.add_member(
            actor_id=OWNER, organization_id=org, email="user3@example.com", role=Role.ADMIN
        )
    with pytest.raises(UnknownUser):
        service.add_member(
            actor_id=OWNER, organization_id=org, email="ghost@example.com", role=Role.MEMBER
        )


def test_only_an_owner_grants_or_revokes_owner(
    service: OrganizationService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    with pytest.raises(OwnerRequired):
        service.change_role(actor_id=ADMIN, organization_id=org, user_id=MEMBER, role=Role.OWNER)
    with pytest.raises(OwnerRequired):
        service.change_role(actor_id=ADMIN, organization_id=org, user_id=OWNER, role=Role.MEMBER)
    with pytest.raises(OwnerRequired):
        service.remove_member(actor_id=ADMIN, organization_id=org, user_id=OWNER)

    service.change_role(actor_id=OWNER, organization_id=org, user_id=MEMBER, role=Role.OWNER)

    assert role(uow, org, MEMBER) is Role.OWNER


def test_the_last_owner_can_be_neither_demoted_nor_removed(
    service: OrganizationService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    with pytest.raises(LastOwner):
        service.change_role(actor_id=OWNER, organization_id=org, user_id=OWNER, role=Role.ADMIN)
    with pytest.raises(LastOwner):
        service.remove_member(actor_id=OWNER, organization_id=org, user_id=OWNER)

    assert role(uow, org, OWNER) is Role.OWNER


def test_with_two_owners_one_may_step_down(
    service: OrganizationService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    service.change_role(actor_id=OWNER, organization_id=org, user_id=ADMIN, role=Role.OWNER)

    service.change_role(actor_id=OWNER, organization_id=org, user_id=OWNER, role=Role.MEMBER)

    assert role(uow, org, OWNER) is Role.MEMBER
    with pytest.raises(LastOwner):
        service.remove_member(actor_id=ADMIN, organization_id=org, user_id=ADMIN)


def test_role_changes_lock_the_owners_and_both_users(
    service: OrganizationService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    service.change_role(actor_id=ADMIN, organization_id=org, user_id=MEMBER, role=Role.ADMIN)

    assert uow.memberships.locked[-1] == (org, frozenset({ADMIN, MEMBER}))


def test_a_demoted_actor_loses_their_powers_at_once(
    service: OrganizationService, org: OrganizationId
) -> None:
    service.change_role(actor_id=OWNER, organization_id=org, user_id=ADMIN, role=Role.MEMBER)

    with pytest.raises(RoleTooLow):
        service.change_role(actor_id=ADMIN, organization_id=org, user_id=MEMBER, role=Role.ADMIN)


def test_removed_actors_and_missing_members(
    service: OrganizationService, org: OrganizationId
) -> None:
    with pytest.raises(OrganizationNotFound):
        service.remove_member(actor_id=OUTSIDER, organization_id=org, user_id=MEMBER)
    with pytest.raises(MemberNotFound):
        service.change_role(actor_id=OWNER, organization_id=org, user_id=OUTSIDER, role=Role.ADMIN)
    with pytest.raises(MemberNotFound):
        service.remove_member(actor_id=OWNER, organization_id=org, user_id=OUTSIDER)


def test_members_are_listed_with_names_and_emails(
    service: OrganizationService, org: OrganizationId
) -> None:
    page = service.list_members(organization_id=org, page=PageRequest(size=10))

    assert [(m.user_id, m.email, m.role) for m in page.items] == [
        (OWNER, "user1@example.com", Role.OWNER),
        (ADMIN, "user2@example.com", Role.ADMIN),
        (MEMBER, "user3@example.com", Role.MEMBER),
    ]


def test_list_mine_shows_my_role_in_each(service: OrganizationService, org: OrganizationId) -> None:
    other = service.create(actor_id=OTHER_OWNER, name="Globex")
    service.add_member(
        actor_id=OTHER_OWNER, organization_id=other.id, email="user3@example.com", role=Role.ADMIN
    )

    page = service.list_mine(actor_id=MEMBER, page=PageRequest(size=10))

    assert [(o.name, o.role) for o in page.items] == [("Acme", Role.MEMBER), ("Globex", Role.ADMIN)]


def test_the_api_answers_roles_with_plain_data(
    uow: FakeOrganizationsUnitOfWork, org: OrganizationId
) -> None:
    api = OrganizationsApi(uow_factory=lambda: uow)

    assert api.role_of(user_id=ADMIN, organization_id=org) is Role.ADMIN
    assert api.role_of(user_id=OUTSIDER, organization_id=org) is None
    assert api.role_of(user_id=ADMIN, organization_id=999) is None


def test_update_with_nothing_to_change_reads(
    service: OrganizationService, org: OrganizationId
) -> None:
    assert service.update(actor_id=ADMIN, organization_id=org).name == "Acme"
    assert service.update(actor_id=ADMIN, organization_id=org, name="Acme 3").name == "Acme 3"
