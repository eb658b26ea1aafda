"""Invitations through the service and the email handler, against in-memory fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contexts.organizations.application.handlers import SendInvitationEmail
from contexts.organizations.application.services import (
    InvitationExpiryService,
    InvitationService,
)
from contexts.organizations.domain.errors import (
    AlreadyMember,
    InvitationClosed,
    InvitationNotFound,
    OwnerRequired,
)
from contexts.organizations.domain.events import InvitationCreated
from contexts.organizations.domain.model import InvitationId, InvitationStatus, Membership
from kernel.actors import Actor, UserId
from kernel.pagination import PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role, RoleTooLow
from tests.unit.organizations.fakes import (
    Card,
    FakeInvitationTokens,
    FakeOrganizationsUnitOfWork,
    FakeUserDirectory,
    FixedClock,
    RecordingInvitationEmails,
)

OWNER, ADMIN, MEMBER, INVITEE, OTHER = (UserId(i) for i in range(1, 6))
ORG = OrganizationId(1)
LIFETIME = timedelta(days=7)


@pytest.fixture
def uow() -> FakeOrganizationsUnitOfWork:
    uow = FakeOrganizationsUnitOfWork()
    organization = uow.organizations.add(name="Acme")
    assert organization.id == ORG
    for user_id, role in ((OWNER, Role.OWNER), (ADMIN, Role.ADMIN), (MEMBER, Role.MEMBER)):
        uow.memberships.add(Membership(ORG, user_id, role))
    return uow


@pytest.fixture
def users() -> FakeUserDirectory:
    names = {OWNER: "Olive", ADMIN: "Adam", MEMBER: "Mia", INVITEE: "Ivy", OTHER: "Otto"}
    return FakeUserDirectory(
        *(Card(user_id, f"user{user_id}@example.com", name) for user_id, name in names.items())
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def service(
    uow: FakeOrganizationsUnitOfWork, users: FakeUserDirectory, clock: FixedClock
) -> InvitationService:
    return InvitationService(
        uow=uow, users=users, tokens=FakeInvitationTokens(), clock=clock, lifetime=LIFETIME
    )


def actor(uow: FakeOrganizationsUnitOfWork, user_id: UserId) -> Actor:
    """The actor as the tenancy layer would hand it over: with their current role, if any."""
    membership = uow.memberships.get(ORG, user_id)
    return Actor(user_id).with_role(ORG, membership.role) if membership else Actor(user_id)


def invite(
    service: InvitationService,
    uow: FakeOrganizationsUnitOfWork,
    email: str = "user4@example.com",
    role: Role = Role.MEMBER,
    by: UserId = ADMIN,
) -> InvitationId:
    return service.invite(actor=actor(uow, by), organization_id=ORG, email=email, role=role).id


def test_an_admin_invites_and_the_invitation_is_announced_for_its_email(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork, clock: FixedClock
) -> None:
    invitation = service.invite(
        actor=actor(uow, ADMIN), organization_id=ORG, email=" Ann@Example.COM ", role=Role.ADMIN
    )

    assert invitation.email == "ann@example.com"
    assert (invitation.role, invitation.status) == (Role.ADMIN, InvitationStatus.PENDING)
    assert invitation.expires_at == clock.now() + LIFETIME
    assert uow.outbox.events == [InvitationCreated(invitation_id=invitation.id)]
    assert uow.outbox.events[0].payload() == {"invitation_id": invitation.id}


def test_the_answer_does_not_depend_on_whether_the_email_has_an_account(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork
) -> None:
    registered = service.invite(
        actor=actor(uow, ADMIN), organization_id=ORG, email="user4@example.com", role=Role.MEMBER
    )
    unknown = service.invite(
        actor=actor(uow, ADMIN), organization_id=ORG, email="ghost@example.com", role=Role.MEMBER
    )

    assert (registered.status, registered.role) == (unknown.status, unknown.role)
    assert uow.outbox.names() == ["organizations.invitation_created"] * 2


def test_only_an_owner_invites_an_owner(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork
) -> None:
    with pytest.raises(OwnerRequired):
        invite(service, uow, role=Role.OWNER, by=ADMIN)
    assert invite(service, uow, role=Role.OWNER, by=OWNER)
    assert len(uow.outbox.events) == 1


def test_members_and_outsiders_invite_no_one(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork
) -> None:
    with pytest.raises(RoleTooLow):
        invite(service, uow, by=MEMBER)
    # An outsider claiming a role is refused under the lock, as if the organization did not exist.
    with pytest.raises(OrganizationNotFound):
        service.invite(
            actor=Actor(OTHER).with_role(ORG, Role.OWNER),
            organization_id=ORG,
            email="user4@example.com",
            role=Role.MEMBER,
        )
    assert uow.invitations.rows == {}
    assert uow.outbox.events == []


def test_a_members_email_is_refused(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork
) -> None:
    with pytest.raises(AlreadyMember):
        invite(service, uow, email="USER3@example.com")
    assert uow.invitations.rows == {}


def test_a_second_invitation_to_an_email_replaces_the_first(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork
) -> None:
    first = invite(service, uow, role=Role.MEMBER)
    second = invite(service, uow, role=Role.ADMIN)

    assert uow.invitations.rows[first].status is InvitationStatus.REVOKED
    assert uow.invitations.rows[second].status is InvitationStatus.PENDING
    listed = service.list(actor=actor(uow, ADMIN), organization_id=ORG, page=PageRequest(size=10))
    assert [i.id for i in listed.items] == [second]
    with pytest.raises(InvitationClosed):
        service.accept(actor=Actor(INVITEE), token=f"invitation-{first}")


def test_the_list_is_for_admins_and_shows_open_invitations_only(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork, clock: FixedClock
) -> None:
    older = invite(service, uow, email="a@example.com")
    newer = invite(service, uow, email="b@example.com")
    revoked = invite(service, uow, email="c@example.com")
    service.revoke(actor=actor(uow, ADMIN), organization_id=ORG, invitation_id=revoked)

    page = service.list(actor=actor(uow, ADMIN), organization_id=ORG, page=PageRequest(size=10))

    assert [i.id for i in page.items] == [newer, older]
    with pytest.raises(RoleTooLow):
        service.list(actor=actor(uow, MEMBER), organization_id=ORG, page=PageRequest(size=10))
    clock.at += LIFETIME
    later = service.list(actor=actor(uow, ADMIN), organization_id=ORG, page=PageRequest(size=10))
    assert later.items == []


def test_revoking_needs_an_admin_and_a_pending_invitation_of_this_organization(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork
) -> None:
    invitation = invite(service, uow)
    with pytest.raises(RoleTooLow):
        service.revoke(actor=actor(uow, MEMBER), organization_id=ORG, invitation_id=invitation)
    with pytest.raises(InvitationNotFound):
        service.revoke(
            actor=Actor(ADMIN).with_role(OrganizationId(2), Role.ADMIN),
            organization_id=OrganizationId(2),
            invitation_id=invitation,
        )

    service.revoke(actor=actor(uow, ADMIN), organization_id=ORG, invitation_id=invitation)

    assert uow.invitations.rows[invitation].status is InvitationStatus.REVOKED
    with pytest.raises(InvitationNotFound):
        service.revoke(actor=actor(uow, ADMIN), organization_id=ORG, invitation_id=invitation)
    with pytest.raises(InvitationClosed):
        service.accept(actor=Actor(INVITEE), token=f"invitation-{invitation}")


def test_the_invitee_accepts_joins_with_the_role_and_is_verified(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork, users: FakeUserDirectory
) -> None:
    invitation = invite(service, uow, email="USER4@example.com", role=Role.ADMIN)

    joined = service.accept(actor=Actor(INVITEE), token=f"invitation-{invitation}")

    assert (joined.organization_id, joined.role) == (ORG, Role.ADMIN)
    membership = uow.memberships.get(ORG, INVITEE)
    assert membership is not None
    assert membership.role is Role.ADMIN
    assert uow.invitations.rows[invitation].status is InvitationStatus.ACCEPTED
    assert uow.invitations.accepted_by[invitation] == INVITEE
    assert users.verified == {INVITEE}
    assert uow.invitations.locked == [invitation]
    with pytest.raises(InvitationClosed):
        service.accept(actor=Actor(INVITEE), token=f"invitation-{invitation}")


@pytest.mark.parametrize("token", ["invitation-999", "garbage", "", "invitation-"])
def test_an_unknown_or_forged_token_is_not_found(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork, token: str
) -> None:
    with pytest.raises(InvitationNotFound):
        service.accept(actor=Actor(INVITEE), token=token)


def test_anyone_but_the_invitee_is_answered_as_if_the_token_did_not_exist(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork, users: FakeUserDirectory
) -> None:
    invitation = invite(service, uow)
    token = f"invitation-{invitation}"
    for stranger in (OTHER, OWNER):
        with pytest.raises(InvitationNotFound):
            service.accept(actor=Actor(stranger), token=token)
    service.accept(actor=Actor(INVITEE), token=token)
    # Closed now: still a 404 for others, never the "used" answer.
    with pytest.raises(InvitationNotFound):
        service.accept(actor=Actor(OTHER), token=token)
    assert users.verified == {INVITEE}


def test_an_expired_invitation_is_closed_before_and_after_the_expiry_job(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork, clock: FixedClock
) -> None:
    expiring = invite(service, uow, email="user4@example.com")
    clock.at += LIFETIME - timedelta(seconds=1)
    later = invite(service, uow, email="user5@example.com")
    clock.at += timedelta(seconds=1)

    # Due, though the job has not run yet.
    with pytest.raises(InvitationClosed):
        service.accept(actor=Actor(INVITEE), token=f"invitation-{expiring}")
    expiry = InvitationExpiryService(uow=uow, clock=clock)
    assert expiry.expire_due() == 1
    assert uow.invitations.rows[expiring].status is InvitationStatus.EXPIRED
    assert uow.invitations.rows[later].status is InvitationStatus.PENDING
    assert expiry.expire_due() == 0
    with pytest.raises(InvitationClosed):
        service.accept(actor=Actor(INVITEE), token=f"invitation-{expiring}")


def test_the_email_handler_sends_the_invitation_with_a_token_to_pending_ones_only(
    service: InvitationService, uow: FakeOrganizationsUnitOfWork, users: FakeUserDirectory
) -> None:
    emails = RecordingInvitationEmails()
    clock = FixedClock()
    handler = SendInvitationEmail(
        uow=uow, users=users, tokens=FakeInvitationTokens(), emails=emails, clock=clock
    )
    sent = invite(service, uow, email="ann@example.com")
    revoked = invite(service, uow, email="bob@example.com")
    service.revoke(actor=actor(uow, ADMIN), organization_id=ORG, invitation_id=revoked)

    for invitation_id in (sent, revoked, 999):
        handler({"invitation_id": invitation_id})

    assert [(e.email, e.organization_name, e.inviter_name, e.token) for e in emails.sent] == [
        ("ann@example.com", "Acme", "Adam", f"invitation-{sent}")
    ]
