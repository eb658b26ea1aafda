"""Organizations' repositories and unit of work: the only code touching organizations' models."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from adapters.organizations import models
from adapters.platform.persistence.compiled import CompiledQuery
from adapters.platform.persistence.scopes import (
    scoped_by_organization,
    scoped_by_row,
    scoped_by_user,
    unscoped,
)
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from adapters.platform.rest.pagination import KeysetPages
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
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role

# Rows are read as tuples of these columns and built into entities directly: cheaper than
# model instances, which matters on every page of a list.
MEMBERSHIP_COLUMNS = ("organization_id", "user_id", "role")
VIEW_COLUMNS = ("organization_id", "organization__name", "organization__created_at", "role")
INVITATION_COLUMNS = (
    "id",
    "organization_id",
    "email",
    "role",
    "status",
    "invited_by_id",
    "expires_at",
    "created_at",
)
PENDING = InvitationStatus.PENDING.value


def _membership(row: tuple[Any, ...]) -> Membership:
    organization_id, user_id, role = row
    return Membership(OrganizationId(organization_id), UserId(user_id), Role(role))


def _view(row: tuple[Any, ...]) -> OrganizationView:
    organization_id, name, created_at, role = row
    return OrganizationView(OrganizationId(organization_id), name, created_at, Role(role))


def _invitation(row: tuple[Any, ...]) -> Invitation:
    id_, organization_id, email, role, status, invited_by, expires_at, created_at = row
    return Invitation(
        id=InvitationId(id_),
        organization_id=OrganizationId(organization_id),
        email=email,
        role=Role(role),
        status=InvitationStatus(status),
        invited_by=UserId(invited_by) if invited_by is not None else None,
        expires_at=expires_at,
        created_at=created_at,
    )


VIEW_PAGES = KeysetPages(
    lambda given: models.Membership.objects.filter(user_id=given["user_id"]),
    ordering=["organization_id"],
    columns=VIEW_COLUMNS,
    build=_view,
)
MEMBERSHIP_PAGES = KeysetPages(
    lambda given: models.Membership.objects.filter(organization_id=given["organization_id"]),
    ordering=["user_id"],
    columns=MEMBERSHIP_COLUMNS,
    build=_membership,
)
OPEN_INVITATION_PAGES = KeysetPages(
    lambda given: models.Invitation.objects.filter(
        organization_id=given["organization_id"], status=PENDING, expires_at__gt=given["now"]
    ),
    ordering=["-id"],
    columns=INVITATION_COLUMNS,
    build=_invitation,
)
# On every request under /orgs/{org_id}/ (the tenancy check): compiled once, then only run.
ROLE = CompiledQuery(
    lambda given: models.Membership.objects.filter(
        organization_id=given["organization_id"], user_id=given["user_id"]
    ).values_list("role")
)


class DjangoOrganizationRepository:
    @unscoped("creates a new organization, whose creator becomes its owner")
    def add(self, *, name: str) -> Organization:
        row = models.Organization.objects.create(name=name)
        return Organization(OrganizationId(row.pk), row.name, row.created_at)

    @scoped_by_user("user_id")
    def get_for_member(self, organization_id: OrganizationId, user_id: UserId) -> OrganizationView:
        # Scoped in the query: the membership row is the only way to the organization.
        row = (
            models.Membership.objects.filter(organization_id=organization_id, user_id=user_id)
            .values_list(*VIEW_COLUMNS)
            .first()
        )
        if row is None:
            raise OrganizationNotFound()
        return _view(row)

    @scoped_by_organization("organization_id")
    def get(self, organization_id: OrganizationId) -> Organization:
        row = (
            models.Organization.objects.filter(pk=organization_id)
            .values_list("id", "name", "created_at")
            .first()
        )
        if row is None:
            raise OrganizationNotFound()
        return Organization(OrganizationId(row[0]), row[1], row[2])

    @scoped_by_row("organization")
    def save(self, organization: Organization) -> None:
        models.Organization.objects.filter(pk=organization.id).update(
            name=organization.name, updated_at=timezone.now()
        )

    @scoped_by_user("user_id")
    def list_for_member(self, user_id: UserId, page: PageRequest) -> Page[OrganizationView]:
        return VIEW_PAGES.page(page, user_id=user_id)


class DjangoMembershipRepository:
    @scoped_by_row("membership")
    def add(self, membership: Membership) -> None:
        try:
            with transaction.atomic():
                models.Membership.objects.create(
                    organization_id=membership.organization_id,
                    user_id=membership.user_id,
                    role=membership.role.value,
                )
        except IntegrityError as error:
            raise AlreadyMember() from error

    @scoped_by_organization("organization_id")
    def get(self, organization_id: OrganizationId, user_id: UserId) -> Membership | None:
        rows = ROLE.rows({"organization_id": organization_id, "user_id": user_id})
        return Membership(organization_id, user_id, Role(rows[0][0])) if rows else None

    @scoped_by_organization("organization_id")
    def lock_for_change(
        self, organization_id: OrganizationId, user_ids: Collection[UserId]
    ) -> list[Membership]:
        rows = (
            models.Membership.objects.select_for_update()
            .filter(organization_id=organization_id)
            .filter(Q(role=Role.OWNER.value) | Q(user_id__in=list(user_ids)))
            .order_by("pk")  # one lock order for everyone: no deadlocks between two changes
        )
        return [_membership(row) for row in rows.values_list(*MEMBERSHIP_COLUMNS)]

    @scoped_by_row("membership")
    def set_role(self, membership: Membership) -> None:
        models.Membership.objects.filter(
            organization_id=membership.organization_id, user_id=membership.user_id
        ).update(role=membership.role.value, updated_at=timezone.now())

    @scoped_by_organization("organization_id")
    def remove(self, organization_id: OrganizationId, user_id: UserId) -> None:
        models.Membership.objects.filter(organization_id=organization_id, user_id=user_id).delete()

    @scoped_by_organization("organization_id")
    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[Membership]:
        return MEMBERSHIP_PAGES.page(page, organization_id=organization_id)

    @scoped_by_organization("organization_id")
    def list_administrators(self, organization_id: OrganizationId) -> list[Membership]:
        rows = models.Membership.objects.filter(
            organization_id=organization_id, role__in=[Role.OWNER.value, Role.ADMIN.value]
        ).order_by("user_id")
        return [_membership(row) for row in rows.values_list(*MEMBERSHIP_COLUMNS)]


class DjangoInvitationRepository:
    @scoped_by_organization("organization_id")
    def replace_pending(
        self,
        *,
        organization_id: OrganizationId,
        email: str,
        role: Role,
        invited_by: UserId,
        expires_at: datetime,
    ) -> Invitation:
        # Two concurrent invitations of one address: the second's insert waits on the first's
        # (the partial unique index), then fails; revoking again then sees the first, committed.
        for attempt in range(2):
            self._revoke_pending(organization_id, email)
            try:
                with transaction.atomic():
                    row = models.Invitation.objects.create(
                        organization_id=organization_id,
                        email=email,
                        role=role.value,
                        invited_by_id=invited_by,
                        expires_at=expires_at,
                    )
                break
            except IntegrityError:
                if attempt:
                    raise
        return Invitation(
            id=InvitationId(row.pk),
            organization_id=organization_id,
            email=email,
            role=role,
            status=InvitationStatus.PENDING,
            invited_by=invited_by,
            expires_at=row.expires_at,
            created_at=row.created_at,
        )

    @staticmethod
    @scoped_by_organization("organization_id")
    def _revoke_pending(organization_id: OrganizationId, email: str) -> None:
        models.Invitation.objects.filter(
            organization_id=organization_id, email=email, status=PENDING
        ).update(status=InvitationStatus.REVOKED.value, updated_at=timezone.now())

    @unscoped("reached by the invitation's signed token, which only its recipient holds")
    def get(self, invitation_id: InvitationId) -> Invitation | None:
        row = models.Invitation.objects.filter(pk=invitation_id).values_list(*INVITATION_COLUMNS)
        found = row.first()
        return _invitation(found) if found else None

    @unscoped("reached by the invitation's signed token, which only its recipient holds")
    def lock(self, invitation_id: InvitationId) -> Invitation | None:
        rows = models.Invitation.objects.select_for_update().filter(pk=invitation_id)
        found = rows.values_list(*INVITATION_COLUMNS).first()
        return _invitation(found) if found else None

    @scoped_by_organization("organization_id")
    def get_pending(
        self, organization_id: OrganizationId, invitation_id: InvitationId
    ) -> Invitation | None:
        rows = models.Invitation.objects.filter(
            pk=invitation_id, organization_id=organization_id, status=PENDING
        )
        found = rows.values_list(*INVITATION_COLUMNS).first()
        return _invitation(found) if found else None

    @scoped_by_row("invitation_id")
    def set_status(
        self,
        invitation_id: InvitationId,
        status: InvitationStatus,
        *,
        accepted_by: UserId | None = None,
    ) -> None:
        models.Invitation.objects.filter(pk=invitation_id).update(
            status=status.value, accepted_by_id=accepted_by, updated_at=timezone.now()
        )

    @scoped_by_organization("organization_id")
    def list_open(
        self, organization_id: OrganizationId, now: datetime, page: PageRequest
    ) -> Page[Invitation]:
        return OPEN_INVITATION_PAGES.page(page, organization_id=organization_id, now=now)

    @unscoped("beat's housekeeping job, across every organization")
    def expire_due(self, now: datetime) -> int:
        return models.Invitation.objects.filter(status=PENDING, expires_at__lte=now).update(
            status=InvitationStatus.EXPIRED.value, updated_at=now
        )


class DjangoOrganizationsUnitOfWork(DjangoUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._organizations = DjangoOrganizationRepository()
        self._memberships = DjangoMembershipRepository()
        self._invitations = DjangoInvitationRepository()

    @property
    def organizations(self) -> DjangoOrganizationRepository:
        return self._organizations

    @property
    def memberships(self) -> DjangoMembershipRepository:
        return self._memberships

    @property
    def invitations(self) -> DjangoInvitationRepository:
        return self._invitations
