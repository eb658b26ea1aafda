"""Organizations' repositories and unit of work: the only code touching organizations' models."""

from __future__ import annotations

from collections.abc import Collection

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from adapters.organizations import models
from adapters.platform.pagination import keyset_page
from adapters.platform.unit_of_work import DjangoUnitOfWork
from contexts.organizations.domain.errors import AlreadyMember, OrganizationNotFound
from contexts.organizations.domain.model import (
    Membership,
    Organization,
    OrganizationId,
    OrganizationView,
)
from kernel.pagination import Page, PageRequest
from kernel.tenancy import Role


def _membership(row: models.Membership) -> Membership:
    return Membership(OrganizationId(row.organization_id), row.user_id, Role(row.role))


def _view(row: models.Membership) -> OrganizationView:
    organization = row.organization
    return OrganizationView(
        OrganizationId(organization.pk), organization.name, organization.created_at, Role(row.role)
    )


class DjangoOrganizationRepository:
    def add(self, *, name: str) -> Organization:
        row = models.Organization.objects.create(name=name)
        return Organization(OrganizationId(row.pk), row.name, row.created_at)

    def get_for_member(self, organization_id: OrganizationId, user_id: int) -> OrganizationView:
        # Scoped in the query: the membership row is the only way to the organization.
        row = (
            models.Membership.objects.select_related("organization")
            .filter(organization_id=organization_id, user_id=user_id)
            .first()
        )
        if row is None:
            raise OrganizationNotFound()
        return _view(row)

    def save(self, organization: Organization) -> None:
        models.Organization.objects.filter(pk=organization.id).update(
            name=organization.name, updated_at=timezone.now()
        )

    def list_for_member(self, user_id: int, page: PageRequest) -> Page[OrganizationView]:
        rows = models.Membership.objects.select_related("organization").filter(user_id=user_id)
        return keyset_page(rows, ordering=["organization_id"], page=page).map(_view)


class DjangoMembershipRepository:
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

    def get(self, organization_id: OrganizationId, user_id: int) -> Membership | None:
        row = (
            models.Membership.objects.filter(organization_id=organization_id, user_id=user_id)
            .only("organization_id", "user_id", "role")
            .first()
        )
        return _membership(row) if row else None

    def lock_for_change(
        self, organization_id: OrganizationId, user_ids: Collection[int]
    ) -> list[Membership]:
        rows = (
            models.Membership.objects.select_for_update()
            .filter(organization_id=organization_id)
            .filter(Q(role=Role.OWNER.value) | Q(user_id__in=list(user_ids)))
            .order_by("pk")  # one lock order for everyone: no deadlocks between two changes
        )
        return [_membership(row) for row in rows]

    def set_role(self, membership: Membership) -> None:
        models.Membership.objects.filter(
            organization_id=membership.organization_id, user_id=membership.user_id
        ).update(role=membership.role.value, updated_at=timezone.now())

    def remove(self, organization_id: OrganizationId, user_id: int) -> None:
        models.Membership.objects.filter(organization_id=organization_id, user_id=user_id).delete()

    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[Membership]:
        rows = models.Membership.objects.filter(organization_id=organization_id).only(
            "organization_id", "user_id", "role"
        )
        return keyset_page(rows, ordering=["user_id"], page=page).map(_membership)


class DjangoOrganizationsUnitOfWork(DjangoUnitOfWork):
    def __init__(self) -> None:
        super().__init__()
        self._organizations = DjangoOrganizationRepository()
        self._memberships = DjangoMembershipRepository()

    @property
    def organizations(self) -> DjangoOrganizationRepository:
        return self._organizations

    @property
    def memberships(self) -> DjangoMembershipRepository:
        return self._memberships
