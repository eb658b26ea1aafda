"""Organizations' role rules through the services, against in-memory fakes."""

from __future__ import annotations

import pytest

from contexts.organizations.api import OrganizationsApi
from contexts.organizations.application.services import MembershipService, OrganizationService
from contexts.organizations.domain.errors import (
    InvalidOrganization,
    LastOwner,
    MemberNotFound,
    OwnerRequired,
)
from contexts.organizations.domain.events import OrganizationCreated
from contexts.organizations.domain.model import Membership
from kernel.actors import Actor, UserId
from kernel.pagination import PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role, RoleTooLow
from tests.unit.organizations.fakes import (
    Card,
    FakeOrganizationsUnitOfWork,
    FakeUserDirectory,
    RecordingEventPublisher,
)

OWNER, ADMIN, MEMBER, OUTSIDER, OTHER_OWNER = (UserId(i) for i in range(1, 6))


@pytest.fixture
def uow() -> FakeOrganizationsUnitOfWork:
    return FakeOrganizationsUnitOfWork()


@pytest.fixture
def events() -> RecordingEventPublisher:
    return RecordingEventPublisher()


@pytest.fixture
def organizations(
    uow: FakeOrganizationsUnitOfWork, events: RecordingEventPublisher
) -> OrganizationService:
    return OrganizationService(uow=uow, events=events)


@pytest.fixture
def memberships(uow: FakeOrganizationsUnitOfWork) -> MembershipService:
    users = FakeUserDirectory(
        *(Card(UserId(i), f"user{i}@example.com", f"User {i}") for i in range(1, 7))
    )
    return MembershipService(uow=uow, users=users)


@pytest.fixture
def org(organizations: OrganizationService, uow: FakeOrganizationsUnitOfWork) -> OrganizationId:
    organization = organizations.create(actor=Actor(OWNER), name="Acme")
    uow.memberships.add(Membership(organization.id, ADMIN, Role.ADMIN))
    uow.memberships.add(Membership(organization.id, MEMBER, Role.MEMBER))
    return organization.id


def role(uow: FakeOrganizationsUnitOfWork, org: OrganizationId, user_id: UserId) -> Role | None:
    membership = uow.memberships.get(org, user_id)
    return membership.role if membership else None


def member(uow: FakeOrganizationsUnitOfWork, org: OrganizationId, user_id: UserId) -> Actor:
    """The actor as the tenancy layer hands it over: with its role in ``org``, if any."""
    current = role(uow, org, user_id)
    return Actor(user_id) if current is None else Actor(user_id).with_role(org, current)


# --- organizations -------------------------------------------------------------------------------


def test_the_creator_becomes_owner_and_the_creation_is_announced(
    organizations: OrganizationService,
    uow: FakeOrganizationsUnitOfWork,
    events: RecordingEventPublisher,
) -> None:
    created = organizations.create(actor=Actor(OWNER), name="Acme")

    assert created.role is Role.OWNER
    assert role(uow, created.id, OWNER) is Role.OWNER
    assert events.events == [OrganizationCreated(organization_id=created.id, owner_id=OWNER)]
    assert uow.commits == 1


def test_the_creation_event_carries_a_name_and_primitives(
    organizations: OrganizationService, events: RecordingEventPublisher
) -> None:
    created = organizations.create(actor=Actor(OWNER), name="Acme")

    [event] = events.events
    assert (event.name, event.version) == ("organizations.organization_created", 1)
    assert event.payload() == {"organization_id": created.id, "owner_id": OWNER}


@pytest.mark.parametrize("name", ["", "  ", "x" * 101])
def test_names_are_validated(
    organizations: OrganizationService, events: RecordingEventPublisher, name: str
) -> None:
    with pytest.raises(InvalidOrganization):
        organizations.create(actor=Actor(OWNER), name=name)

    assert events.events == []


def test_only_members_see_an_organization(
    organizations: OrganizationService, org: OrganizationId
) -> None:
    assert organizations.get(actor=Actor(MEMBER), organization_id=org).role is Role.MEMBER
    with pytest.raises(OrganizationNotFound):
        organizations.get(actor=Actor(OUTSIDER), organization_id=org)


def test_members_cannot_update_the_name_admins_can(
    organizations: OrganizationService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    with pytest.raises(RoleTooLow):
        organizations.update(actor=Actor(MEMBER), organization_id=org, name="Nope")
    assert uow.organizations.rows[org].name == "Acme"

    updated = organizations.update(actor=Actor(ADMIN), organization_id=org, name="Acme 2")

    assert (updated.name, updated.role) == ("Acme 2", Role.ADMIN)
    assert uow.organizations.rows[org].name == "Acme 2"


def test_outsiders_cannot_update_an_organization(
    organizations: OrganizationService, org: OrganizationId
) -> None:
    with pytest.raises(OrganizationNotFound):
        organizations.update(actor=Actor(OUTSIDER), organization_id=org, name="Mine")
    with pytest.raises(OrganizationNotFound):
        organizations.update(actor=Actor(OUTSIDER), organization_id=org)


def test_update_validates_the_name_and_keeps_the_old_one(
    organizations: OrganizationService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    with pytest.raises(InvalidOrganization):
        organizations.update(actor=Actor(OWNER), organization_id=org, name="  ")

    assert uow.organizations.rows[org].name == "Acme"


def test_update_with_nothing_to_change_reads(
    organizations: OrganizationService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    commits = uow.commits

    assert organizations.update(actor=Actor(ADMIN), organization_id=org).name == "Acme"
    assert uow.commits == commits
    assert (
        organizations.update(actor=Actor(ADMIN), organization_id=org, name="Acme 3").name
        == "Acme 3"
    )


def test_list_shows_my_role_in_each(
    organizations: OrganizationService,
    org: OrganizationId,
    uow: FakeOrganizationsUnitOfWork,
) -> None:
    other = organizations.create(actor=Actor(OTHER_OWNER), name="Globex")
    uow.memberships.add(Membership(other.id, MEMBER, Role.ADMIN))

    page = organizations.list(actor=Actor(MEMBER), page=PageRequest(size=10))

    assert [(o.name, o.role) for o in page.items] == [("Acme", Role.MEMBER), ("Globex", Role.ADMIN)]
    assert organizations.list(actor=Actor(OUTSIDER), page=PageRequest(size=10)).items == []


# --- members -------------------------------------------------------------------------------------


def test_an_empty_change_still_needs_the_admin_role(
    organizations: OrganizationService, org: OrganizationId
) -> None:
    with pytest.raises(RoleTooLow):
        organizations.update(actor=Actor(MEMBER), organization_id=org)
    assert organizations.update(actor=Actor(ADMIN), organization_id=org).name == "Acme"


def test_only_an_owner_grants_or_revokes_owner(
    memberships: MembershipService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    admin = Actor(ADMIN)
    with pytest.raises(OwnerRequired):
        memberships.change_role(actor=admin, organization_id=org, user_id=MEMBER, role=Role.OWNER)
    with pytest.raises(OwnerRequired):
        memberships.change_role(actor=admin, organization_id=org, user_id=OWNER, role=Role.MEMBER)
    with pytest.raises(OwnerRequired):
        memberships.remove(actor=admin, organization_id=org, user_id=OWNER)

    changed = memberships.change_role(
        actor=Actor(OWNER), organization_id=org, user_id=MEMBER, role=Role.OWNER
    )

    assert (changed.user_id, changed.email, changed.role) == (
        MEMBER,
        "user3@example.com",
        Role.OWNER,
    )
    assert role(uow, org, MEMBER) is Role.OWNER


def test_owner_required_is_a_role_too_low() -> None:
    assert issubclass(OwnerRequired, RoleTooLow)


def test_the_last_owner_can_be_neither_demoted_nor_removed(
    memberships: MembershipService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    owner = Actor(OWNER)
    with pytest.raises(LastOwner):
        memberships.change_role(actor=owner, organization_id=org, user_id=OWNER, role=Role.ADMIN)
    with pytest.raises(LastOwner):
        memberships.remove(actor=owner, organization_id=org, user_id=OWNER)

    assert role(uow, org, OWNER) is Role.OWNER


def test_with_two_owners_one_may_step_down(
    memberships: MembershipService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    owner = Actor(OWNER)
    memberships.change_role(actor=owner, organization_id=org, user_id=ADMIN, role=Role.OWNER)

    memberships.change_role(actor=owner, organization_id=org, user_id=OWNER, role=Role.MEMBER)

    assert role(uow, org, OWNER) is Role.MEMBER
    with pytest.raises(LastOwner):
        memberships.remove(actor=Actor(ADMIN), organization_id=org, user_id=ADMIN)


def test_an_admin_removes_a_member(
    memberships: MembershipService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    memberships.remove(actor=Actor(ADMIN), organization_id=org, user_id=MEMBER)

    assert role(uow, org, MEMBER) is None


def test_role_changes_lock_the_owners_and_both_users(
    memberships: MembershipService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    memberships.change_role(
        actor=Actor(ADMIN), organization_id=org, user_id=MEMBER, role=Role.ADMIN
    )

    assert uow.memberships.locked[-1] == (org, frozenset({ADMIN, MEMBER}))


def test_a_demoted_actor_loses_their_powers_at_once(
    memberships: MembershipService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    # The admin's request began while they were still admin: its actor carries that role.
    admin = member(uow, org, ADMIN)
    memberships.change_role(
        actor=Actor(OWNER), organization_id=org, user_id=ADMIN, role=Role.MEMBER
    )

    with pytest.raises(RoleTooLow):
        memberships.change_role(actor=admin, organization_id=org, user_id=MEMBER, role=Role.ADMIN)
    assert role(uow, org, MEMBER) is Role.MEMBER


def test_removed_actors_and_missing_members(
    memberships: MembershipService, org: OrganizationId
) -> None:
    # A role the request once established does not outlive the membership.
    outsider = Actor(OUTSIDER).with_role(org, Role.OWNER)
    owner = Actor(OWNER)
    with pytest.raises(OrganizationNotFound):
        memberships.remove(actor=outsider, organization_id=org, user_id=MEMBER)
    with pytest.raises(OrganizationNotFound):
        memberships.change_role(
            actor=outsider, organization_id=org, user_id=MEMBER, role=Role.ADMIN
        )
    with pytest.raises(MemberNotFound):
        memberships.change_role(actor=owner, organization_id=org, user_id=OUTSIDER, role=Role.ADMIN)
    with pytest.raises(MemberNotFound):
        memberships.remove(actor=owner, organization_id=org, user_id=OUTSIDER)


def test_members_are_listed_with_names_and_emails(
    memberships: MembershipService, org: OrganizationId, uow: FakeOrganizationsUnitOfWork
) -> None:
    page = memberships.list(
        actor=member(uow, org, MEMBER), organization_id=org, page=PageRequest(size=10)
    )

    assert [(m.user_id, m.email, m.name, m.role) for m in page.items] == [
        (OWNER, "user1@example.com", "User 1", Role.OWNER),
        (ADMIN, "user2@example.com", "User 2", Role.ADMIN),
        (MEMBER, "user3@example.com", "User 3", Role.MEMBER),
    ]


@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(Actor(OUTSIDER), id="no-role"),
        pytest.param(Actor(MEMBER), id="member-whose-role-was-not-established"),
        pytest.param(
            Actor(MEMBER).with_role(OrganizationId(2), Role.OWNER), id="role-in-another-org"
        ),
        pytest.param(Actor(OUTSIDER, is_staff=True), id="staff"),
    ],
)
def test_listing_members_refuses_an_actor_without_a_role_in_the_organization(
    memberships: MembershipService, org: OrganizationId, actor: Actor
) -> None:
    with pytest.raises(OrganizationNotFound):
        memberships.list(actor=actor, organization_id=org, page=PageRequest(size=10))


def test_role_of_answers_the_role_or_none(
    memberships: MembershipService, org: OrganizationId
) -> None:
    assert memberships.role_of(user_id=OWNER, organization_id=org) is Role.OWNER
    assert memberships.role_of(user_id=OUTSIDER, organization_id=org) is None


def test_the_api_answers_roles_with_plain_data(
    memberships: MembershipService, organizations: OrganizationService, org: OrganizationId
) -> None:
    api = OrganizationsApi(memberships=lambda: memberships, organizations=lambda: organizations)

    assert api.role_of(user_id=ADMIN, organization_id=org) is Role.ADMIN
    assert api.role_of(user_id=OUTSIDER, organization_id=org) is None
    assert api.role_of(user_id=ADMIN, organization_id=OrganizationId(999)) is None


def test_the_api_describes_an_organization_with_its_owners_and_admins_only(
    memberships: MembershipService, organizations: OrganizationService, org: OrganizationId
) -> None:
    api = OrganizationsApi(memberships=lambda: memberships, organizations=lambda: organizations)

    summary = api.describe_organization(organization_id=org)

    assert summary is not None
    assert summary.name == "Acme"
    assert [(a.user_id, a.email, a.name) for a in summary.administrators] == [
        (OWNER, "user1@example.com", "User 1"),
        (ADMIN, "user2@example.com", "User 2"),
    ]
    assert api.describe_organization(organization_id=OrganizationId(999)) is None
