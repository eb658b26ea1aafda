"""Organizations' use cases: create, list, rename; members and invitations, under the role
rules."""

from __future__ import annotations

from datetime import timedelta

import attrs

from contexts.organizations.application.ports import (
    Clock,
    EventPublisher,
    InvitationTokens,
    OrganizationsUnitOfWork,
    UserDirectory,
)
from contexts.organizations.domain.errors import (
    AlreadyMember,
    InvitationClosed,
    InvitationNotFound,
    MemberNotFound,
)
from contexts.organizations.domain.events import InvitationCreated, OrganizationCreated
from contexts.organizations.domain.model import (
    Invitation,
    InvitationId,
    InvitationStatus,
    Membership,
    MembershipView,
    Organization,
    OrganizationView,
    ensure_an_owner_remains,
    ensure_may_assign,
    ensure_may_manage_members,
    normalize_invitee,
)
from kernel.actors import Actor, UserId
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role


class OrganizationService:
    """Organizations: create one, list and read one's own, rename."""

    def __init__(self, *, uow: OrganizationsUnitOfWork, events: EventPublisher) -> None:
        self._uow = uow
        self._events = events

    def create(self, *, actor: Actor, name: str) -> OrganizationView:
        """Create an organization; its creator becomes its first owner. Subscribers of
        ``OrganizationCreated`` (billing opens the account) run in the same transaction."""
        with self._uow as uow:
            organization = uow.organizations.add(name=name)
            uow.memberships.add(Membership(organization.id, actor.user_id, Role.OWNER))
            self._events.publish(OrganizationCreated(organization.id, actor.user_id))
            uow.commit()
        return OrganizationView(
            organization.id, organization.name, organization.created_at, Role.OWNER
        )

    # Reads need no unit of work: each is one query, atomic by itself, and skipping the
    # transaction saves two round trips per request. The query itself is scoped to the
    # actor's memberships, so it is also the role check.

    def list(self, *, actor: Actor, page: PageRequest) -> Page[OrganizationView]:
        """The actor's organizations, with their role in each."""
        return self._uow.organizations.list_for_member(actor.user_id, page)

    def get(self, *, actor: Actor, organization_id: OrganizationId) -> OrganizationView:
        return self._uow.organizations.get_for_member(organization_id, actor.user_id)

    def describe(self, *, organization_id: OrganizationId) -> Organization:
        """The organization, for other contexts' handlers (they act for no user)."""
        return self._uow.organizations.get(organization_id)

    def update(
        self, *, actor: Actor, organization_id: OrganizationId, name: str | None = None
    ) -> OrganizationView:
        """Change the given fields (admins and owners); fields left as None keep their value.
        An empty change is a plain read, under the same role rule."""
        if name is None:
            view = self.get(actor=actor, organization_id=organization_id)
            ensure_may_manage_members(view.role)
            return view
        with self._uow as uow:
            view = uow.organizations.get_for_member(organization_id, actor.user_id)
            ensure_may_manage_members(view.role)
            organization = Organization(view.id, view.name, view.created_at)
            organization.rename(name)
            uow.organizations.save(organization)
            uow.commit()
        return OrganizationView(view.id, organization.name, view.created_at, view.role)


class MembershipService:
    """Memberships: who belongs to an organization, with which role; the last owner stays."""

    def __init__(self, *, uow: OrganizationsUnitOfWork, users: UserDirectory) -> None:
        self._uow = uow
        self._users = users

    def list(
        self, *, actor: Actor, organization_id: OrganizationId, page: PageRequest
    ) -> Page[MembershipView]:
        """The organization's members with their names (any member may look)."""
        actor.require_role(organization_id, Role.MEMBER)
        memberships = self._uow.memberships.list_page(organization_id, page)
        cards = self._users.describe_users(user_ids=[m.user_id for m in memberships.items])
        return memberships.map(
            lambda m: MembershipView(
                m.user_id, cards[m.user_id].email, cards[m.user_id].name, m.role
            )
        )

    def change_role(
        self, *, actor: Actor, organization_id: OrganizationId, user_id: UserId, role: Role
    ) -> MembershipView:
        with self._uow as uow:
            self._ensure_may_move(uow, organization_id, actor, user_id, new=role)
            uow.memberships.set_role(Membership(organization_id, user_id, role))
            uow.commit()
        card = self._users.describe_users(user_ids=[user_id])[user_id]
        return MembershipView(user_id, card.email, card.name, role)

    def remove(self, *, actor: Actor, organization_id: OrganizationId, user_id: UserId) -> None:
        with self._uow as uow:
            self._ensure_may_move(uow, organization_id, actor, user_id, new=None)
            uow.memberships.remove(organization_id, user_id)
            uow.commit()

    def administrators(self, *, organization_id: OrganizationId) -> tuple[MembershipView, ...]:
        """The organization's owners and admins with their names and emails, for the emails
        other contexts send about it (no actor: outbox handlers act for no one)."""
        memberships = self._uow.memberships.list_administrators(organization_id)
        cards = self._users.describe_users(user_ids=[m.user_id for m in memberships])
        return tuple(
            MembershipView(m.user_id, cards[m.user_id].email, cards[m.user_id].name, m.role)
            for m in memberships
            if m.user_id in cards
        )

    def role_of(self, *, user_id: UserId, organization_id: OrganizationId) -> Role | None:
        """The user's role in the organization, or None if they are not a member (or the
        organization does not exist: callers must not be able to tell the difference)."""
        membership = self._uow.memberships.get(organization_id, user_id)
        return membership.role if membership else None

    def _ensure_may_move(
        self,
        uow: OrganizationsUnitOfWork,
        organization_id: OrganizationId,
        actor: Actor,
        user_id: UserId,
        *,
        new: Role | None,
    ) -> None:
        """The role rules for moving a member to ``new`` (None: out), checked on rows locked
        for the rest of the unit of work."""
        locked = _locked(uow, organization_id, actor.user_id, user_id)
        actor_role = _actor_role(locked, actor)
        member = locked.get(user_id)
        if member is None:
            raise MemberNotFound()
        ensure_may_assign(actor_role, current=member.role, new=new)
        ensure_an_owner_remains(owners=_owners(locked), current=member.role, new=new)


@attrs.frozen
class Joined:
    """What accepting an invitation made of the caller."""

    organization_id: OrganizationId
    role: Role


class InvitationService:
    """Invitations: the one way into an organization. An admin invites an email address with a
    role; whoever holds that address accepts with the emailed token and becomes a member.

    The answer to an invitation does not depend on whether the address has an account, so
    inviting reveals nothing about who is registered (only who is already a member, which
    the admin can see anyway).
    """

    def __init__(
        self,
        *,
        uow: OrganizationsUnitOfWork,
        users: UserDirectory,
        tokens: InvitationTokens,
        clock: Clock,
        lifetime: timedelta,
    ) -> None:
        self._uow = uow
        self._users = users
        self._tokens = tokens
        self._clock = clock
        self._lifetime = lifetime

    def list(
        self, *, actor: Actor, organization_id: OrganizationId, page: PageRequest
    ) -> Page[Invitation]:
        """The organization's open invitations (admins)."""
        actor.require_role(organization_id, Role.ADMIN)
        return self._uow.invitations.list_open(organization_id, self._clock.now(), page)

    def invite(
        self, *, actor: Actor, organization_id: OrganizationId, email: str, role: Role
    ) -> Invitation:
        """Invite ``email`` with ``role`` (admins; only an owner invites an owner). A pending
        invitation to the same address is replaced; an address that is a member's is refused.
        The invitee gets the email after the commit."""
        actor.require_role(organization_id, Role.ADMIN)
        email = normalize_invitee(email)
        user = self._users.find_user_by_email(email=email)
        with self._uow as uow:
            user_ids = (actor.user_id,) if user is None else (actor.user_id, user.id)
            locked = _locked(uow, organization_id, *user_ids)
            ensure_may_assign(_actor_role(locked, actor), current=None, new=role)
            if user is not None and user.id in locked:
                raise AlreadyMember()
            invitation = uow.invitations.replace_pending(
                organization_id=organization_id,
                email=email,
                role=role,
                invited_by=actor.user_id,
                expires_at=self._clock.now() + self._lifetime,
            )
            uow.outbox.record(InvitationCreated(invitation_id=invitation.id))
            uow.commit()
        return invitation

    def revoke(
        self, *, actor: Actor, organization_id: OrganizationId, invitation_id: InvitationId
    ) -> None:
        """Revoke a pending invitation (admins): its token stops working."""
        actor.require_role(organization_id, Role.ADMIN)
        with self._uow as uow:
            if uow.invitations.get_pending(organization_id, invitation_id) is None:
                raise InvitationNotFound()
            uow.invitations.set_status(invitation_id, InvitationStatus.REVOKED)
            uow.commit()

    def accept(self, *, actor: Actor, token: str) -> Joined:
        """Join the organization an invitation to the actor's own address names, with its role.

        Anyone but the invitee is answered as if the token did not exist; the invitee learns
        that a used, revoked or expired invitation is closed. Accepting proves the address,
        so it counts as verified.
        """
        invitation_id = self._tokens.read(token)
        if invitation_id is None:
            raise InvitationNotFound()
        me = self._users.describe_users(user_ids=[actor.user_id])[actor.user_id]
        with self._uow as uow:
            invitation = uow.invitations.lock(invitation_id)
            if invitation is None or not invitation.is_for(me.email):
                raise InvitationNotFound()
            if not invitation.is_open(self._clock.now()):
                raise InvitationClosed()
            uow.memberships.add(
                Membership(invitation.organization_id, actor.user_id, invitation.role)
            )
            uow.invitations.set_status(
                invitation.id, InvitationStatus.ACCEPTED, accepted_by=actor.user_id
            )
            self._users.mark_email_verified(user_id=actor.user_id)
            uow.commit()
        return Joined(invitation.organization_id, invitation.role)


class InvitationExpiryService:
    """Beat's job: invitations whose time is up are marked expired. Accepting checks the time
    itself; this keeps the table's states (and the admin) true."""

    def __init__(self, *, uow: OrganizationsUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def expire_due(self) -> int:
        """How many were marked."""
        with self._uow as uow:
            expired = uow.invitations.expire_due(self._clock.now())
            uow.commit()
        return expired


def _locked(
    uow: OrganizationsUnitOfWork, organization_id: OrganizationId, *user_ids: UserId
) -> dict[UserId, Membership]:
    return {m.user_id: m for m in uow.memberships.lock_for_change(organization_id, user_ids)}


def _actor_role(locked: dict[UserId, Membership], actor: Actor) -> Role:
    # Read again under the lock: the actor may have been demoted or removed since the request
    # began, and a stale role must not authorize the change.
    membership = locked.get(actor.user_id)
    if membership is None:
        raise OrganizationNotFound()
    return membership.role


def _owners(locked: dict[UserId, Membership]) -> int:
    return sum(1 for membership in locked.values() if membership.role is Role.OWNER)
