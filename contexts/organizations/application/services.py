"""Organizations' use cases: create, list, rename, and manage members under the role rules."""

from __future__ import annotations

from contexts.organizations.application.ports import (
    EventPublisher,
    OrganizationsUnitOfWork,
    UserDirectory,
)
from contexts.organizations.domain.errors import (
    AlreadyMember,
    MemberNotFound,
    OrganizationNotFound,
    UnknownUser,
)
from contexts.organizations.domain.events import OrganizationCreated
from contexts.organizations.domain.model import (
    Membership,
    MembershipView,
    Organization,
    OrganizationId,
    OrganizationView,
    ensure_an_owner_remains,
    ensure_may_assign,
    ensure_may_manage_members,
)
from kernel.pagination import Page, PageRequest
from kernel.tenancy import Role


class OrganizationService:
    def __init__(
        self, *, uow: OrganizationsUnitOfWork, users: UserDirectory, events: EventPublisher
    ) -> None:
        self._uow = uow
        self._users = users
        self._events = events

    # --- organizations ---------------------------------------------------------------------------

    def create(self, *, actor_id: int, name: str) -> OrganizationView:
        """Create an organization; its creator becomes its first owner. Subscribers of
        ``OrganizationCreated`` (billing opens the account) run in the same transaction."""
        with self._uow as uow:
            organization = uow.organizations.add(name=name)
            uow.memberships.add(Membership(organization.id, actor_id, Role.OWNER))
            self._events.publish(OrganizationCreated(organization.id, actor_id))
            uow.commit()
        return OrganizationView(
            organization.id, organization.name, organization.created_at, Role.OWNER
        )

    # Reads need no unit of work: each is one query, atomic by itself, and skipping the
    # transaction saves two round trips per request.

    def list_mine(self, *, actor_id: int, page: PageRequest) -> Page[OrganizationView]:
        return self._uow.organizations.list_for_member(actor_id, page)

    def get(self, *, actor_id: int, organization_id: OrganizationId) -> OrganizationView:
        return self._uow.organizations.get_for_member(organization_id, actor_id)

    def update(
        self, *, actor_id: int, organization_id: OrganizationId, name: str | None = None
    ) -> OrganizationView:
        """Change the given fields (admins and owners); fields left as None keep their value.
        An empty change is a plain read."""
        if name is None:
            return self.get(actor_id=actor_id, organization_id=organization_id)
        return self.rename(actor_id=actor_id, organization_id=organization_id, name=name)

    def rename(
        self, *, actor_id: int, organization_id: OrganizationId, name: str
    ) -> OrganizationView:
        with self._uow as uow:
            view = uow.organizations.get_for_member(organization_id, actor_id)
            ensure_may_manage_members(view.role)
            organization = Organization(view.id, view.name, view.created_at)
            organization.rename(name)
            uow.organizations.save(organization)
            uow.commit()
        return OrganizationView(view.id, organization.name, view.created_at, view.role)

    # --- members ---------------------------------------------------------------------------------

    def list_members(
        self, *, organization_id: OrganizationId, page: PageRequest
    ) -> Page[MembershipView]:
        """The organization's members with their names (the caller's membership is checked
        by the caller: the tenancy layer)."""
        memberships = self._uow.memberships.list_page(organization_id, page)
        cards = self._users.describe_users(m.user_id for m in memberships.items)
        return memberships.map(
            lambda m: MembershipView(
                m.user_id, cards[m.user_id].email, cards[m.user_id].name, m.role
            )
        )

    def add_member(
        self, *, actor_id: int, organization_id: OrganizationId, email: str, role: Role
    ) -> MembershipView:
        user = self._users.find_user_by_email(email)
        if user is None:
            raise UnknownUser()
        with self._uow as uow:
            locked = self._locked(uow, organization_id, actor_id, user.id)
            ensure_may_assign(self._actor_role(locked, actor_id), current=None, new=role)
            if user.id in locked:
                raise AlreadyMember()
            uow.memberships.add(Membership(organization_id, user.id, role))
            uow.commit()
        return MembershipView(user.id, user.email, user.name, role)

    def change_role(
        self, *, actor_id: int, organization_id: OrganizationId, user_id: int, role: Role
    ) -> MembershipView:
        with self._uow as uow:
            self._ensure_may_move(uow, organization_id, actor_id, user_id, new=role)
            uow.memberships.set_role(Membership(organization_id, user_id, role))
            uow.commit()
        card = self._users.describe_users([user_id])[user_id]
        return MembershipView(user_id, card.email, card.name, role)

    def remove_member(
        self, *, actor_id: int, organization_id: OrganizationId, user_id: int
    ) -> None:
        with self._uow as uow:
            self._ensure_may_move(uow, organization_id, actor_id, user_id, new=None)
            uow.memberships.remove(organization_id, user_id)
            uow.commit()

    def _ensure_may_move(
        self,
        uow: OrganizationsUnitOfWork,
        organization_id: OrganizationId,
        actor_id: int,
        user_id: int,
        *,
        new: Role | None,
    ) -> None:
        """The role rules for moving a member to ``new`` (None: out), checked on rows locked
        for the rest of the unit of work."""
        locked = self._locked(uow, organization_id, actor_id, user_id)
        actor_role = self._actor_role(locked, actor_id)
        member = locked.get(user_id)
        if member is None:
            raise MemberNotFound()
        ensure_may_assign(actor_role, current=member.role, new=new)
        ensure_an_owner_remains(owners=_owners(locked), current=member.role, new=new)

    @staticmethod
    def _locked(
        uow: OrganizationsUnitOfWork, organization_id: OrganizationId, *user_ids: int
    ) -> dict[int, Membership]:
        return {m.user_id: m for m in uow.memberships.lock_for_change(organization_id, user_ids)}

    @staticmethod
    def _actor_role(locked: dict[int, Membership], actor_id: int) -> Role:
        # Read again under the lock: the actor may have been demoted or removed since the
        # request began, and a stale role must not authorize the change.
        actor = locked.get(actor_id)
        if actor is None:
            raise OrganizationNotFound()
        return actor.role


def _owners(locked: dict[int, Membership]) -> int:
    return sum(1 for membership in locked.values() if membership.role is Role.OWNER)
