"""In-memory implementations of organizations' ports."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime

import attrs

from contexts.organizations.domain.errors import AlreadyMember
from contexts.organizations.domain.model import (
    Invitation,
    InvitationId,
    InvitationStatus,
    Membership,
    Organization,
    OrganizationView,
)
from kernel.actors import UserId
from kernel.events import Event
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role
from tests.unit.fakes import FakeUnitOfWork


def _page(items: list[Membership], page: PageRequest, key: str) -> list[Membership]:
    start = int(page.cursor) if page.cursor else 0
    return sorted(items, key=lambda m: getattr(m, key))[start : start + page.size]


class FakeOrganizationRepository:
    def __init__(self, memberships: FakeMembershipRepository) -> None:
        self.rows: dict[OrganizationId, Organization] = {}
        self._memberships = memberships

    def add(self, *, name: str) -> Organization:
        organization = Organization(OrganizationId(len(self.rows) + 1), name, datetime.now(UTC))
        self.rows[organization.id] = organization
        return organization

    def get_for_member(self, organization_id: OrganizationId, user_id: UserId) -> OrganizationView:
        membership = self._memberships.get(organization_id, user_id)
        if membership is None or organization_id not in self.rows:
            raise OrganizationNotFound()
        row = self.rows[organization_id]
        return OrganizationView(row.id, row.name, row.created_at, membership.role)

    def get(self, organization_id: OrganizationId) -> Organization:
        if organization_id not in self.rows:
            raise OrganizationNotFound()
        return self.rows[organization_id]

    def save(self, organization: Organization) -> None:
        self.rows[organization.id] = organization

    def list_for_member(self, user_id: UserId, page: PageRequest) -> Page[OrganizationView]:
        mine = [m for m in self._memberships.rows.values() if m.user_id == user_id]
        return Page(
            [
                self.get_for_member(m.organization_id, user_id)
                for m in _page(mine, page, "organization_id")
            ]
        )


class FakeMembershipRepository:
    def __init__(self) -> None:
        self.rows: dict[tuple[OrganizationId, UserId], Membership] = {}
        self.locked: list[tuple[OrganizationId, frozenset[UserId]]] = []

    def add(self, membership: Membership) -> None:
        key = (membership.organization_id, membership.user_id)
        if key in self.rows:
            raise AlreadyMember()
        self.rows[key] = membership

    def get(self, organization_id: OrganizationId, user_id: UserId) -> Membership | None:
        return self.rows.get((organization_id, user_id))

    def lock_for_change(
        self, organization_id: OrganizationId, user_ids: Collection[UserId]
    ) -> list[Membership]:
        self.locked.append((organization_id, frozenset(user_ids)))
        return [
            m
            for m in self.rows.values()
            if m.organization_id == organization_id
            and (m.role is Role.OWNER or m.user_id in user_ids)
        ]

    def set_role(self, membership: Membership) -> None:
        self.rows[(membership.organization_id, membership.user_id)] = membership

    def remove(self, organization_id: OrganizationId, user_id: UserId) -> None:
        del self.rows[(organization_id, user_id)]

    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[Membership]:
        mine = [m for m in self.rows.values() if m.organization_id == organization_id]
        return Page(_page(mine, page, "user_id"))

    def list_administrators(self, organization_id: OrganizationId) -> list[Membership]:
        return sorted(
            (
                m
                for m in self.rows.values()
                if m.organization_id == organization_id and m.role.at_least(Role.ADMIN)
            ),
            key=lambda m: m.user_id,
        )


class FakeInvitationRepository:
    def __init__(self) -> None:
        self.rows: dict[InvitationId, Invitation] = {}
        self.accepted_by: dict[InvitationId, UserId] = {}
        self.locked: list[InvitationId] = []

    def replace_pending(
        self,
        *,
        organization_id: OrganizationId,
        email: str,
        role: Role,
        invited_by: UserId,
        expires_at: datetime,
    ) -> Invitation:
        for row in list(self.rows.values()):
            if (row.organization_id, row.email, row.status) == (
                organization_id,
                email,
                InvitationStatus.PENDING,
            ):
                self.set_status(row.id, InvitationStatus.REVOKED)
        invitation = Invitation(
            id=InvitationId(len(self.rows) + 1),
            organization_id=organization_id,
            email=email,
            role=role,
            status=InvitationStatus.PENDING,
            invited_by=invited_by,
            expires_at=expires_at,
            created_at=expires_at,
        )
        self.rows[invitation.id] = invitation
        return invitation

    def get(self, invitation_id: InvitationId) -> Invitation | None:
        return self.rows.get(invitation_id)

    def lock(self, invitation_id: InvitationId) -> Invitation | None:
        self.locked.append(invitation_id)
        return self.get(invitation_id)

    def get_pending(
        self, organization_id: OrganizationId, invitation_id: InvitationId
    ) -> Invitation | None:
        row = self.rows.get(invitation_id)
        if row is None or row.organization_id != organization_id:
            return None
        return row if row.status is InvitationStatus.PENDING else None

    def set_status(
        self,
        invitation_id: InvitationId,
        status: InvitationStatus,
        *,
        accepted_by: UserId | None = None,
    ) -> None:
        self.rows[invitation_id] = attrs.evolve(self.rows[invitation_id], status=status)
        if accepted_by is not None:
            self.accepted_by[invitation_id] = accepted_by

    def list_open(
        self, organization_id: OrganizationId, now: datetime, page: PageRequest
    ) -> Page[Invitation]:
        mine = [
            row
            for row in self.rows.values()
            if row.organization_id == organization_id and row.is_open(now)
        ]
        return Page(sorted(mine, key=lambda row: -row.id)[: page.size])

    def expire_due(self, now: datetime) -> int:
        due = [
            row.id
            for row in self.rows.values()
            if row.status is InvitationStatus.PENDING and row.expires_at <= now
        ]
        for invitation_id in due:
            self.set_status(invitation_id, InvitationStatus.EXPIRED)
        return len(due)


class FakeOrganizationsUnitOfWork(FakeUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._memberships = FakeMembershipRepository()
        self._organizations = FakeOrganizationRepository(self._memberships)
        self._invitations = FakeInvitationRepository()

    @property
    def invitations(self) -> FakeInvitationRepository:
        return self._invitations

    @property
    def organizations(self) -> FakeOrganizationRepository:
        return self._organizations

    @property
    def memberships(self) -> FakeMembershipRepository:
        return self._memberships


@attrs.frozen
class Card:
    id: UserId
    email: str
    name: str


class FakeUserDirectory:
    def __init__(self, *cards: Card) -> None:
        self.cards = {card.id: card for card in cards}
        self.verified: set[UserId] = set()

    def find_user_by_email(self, *, email: str) -> Card | None:
        return next((c for c in self.cards.values() if c.email == email.lower()), None)

    def describe_users(self, *, user_ids: Iterable[UserId]) -> Mapping[UserId, Card]:
        return {user_id: self.cards[user_id] for user_id in user_ids if user_id in self.cards}

    def mark_email_verified(self, *, user_id: UserId) -> None:
        self.verified.add(user_id)


class FakeInvitationTokens:
    """A token is "invitation-<id>"; anything else is not one."""

    def issue(self, invitation_id: InvitationId) -> str:
        return f"invitation-{invitation_id}"

    def read(self, token: str) -> InvitationId | None:
        prefix, _, number = token.partition("-")
        return InvitationId(int(number)) if prefix == "invitation" and number.isdigit() else None


@attrs.define
class SentInvitation:
    email: str
    organization_name: str
    inviter_name: str | None
    token: str


@attrs.define
class RecordingInvitationEmails:
    sent: list[SentInvitation] = attrs.field(factory=list)

    def send_invitation(
        self,
        *,
        invitation: Invitation,
        organization_name: str,
        inviter_name: str | None,
        token: str,
    ) -> None:
        self.sent.append(SentInvitation(invitation.email, organization_name, inviter_name, token))


@attrs.define
class FixedClock:
    at: datetime = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


@attrs.define
class RecordingEventPublisher:
    events: list[Event] = attrs.field(factory=list)

    def publish(self, event: Event) -> None:
        self.events.append(event)
