"""Organizations' repositories and unit of work: the only code touching organizations' models."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from adapters.organizations import models
from adapters.platform.persistence.unit_of_work import DjangoUnitOfWork
from adapters.platform.rest.pagination import keyset_page
from contexts.organizations.domain.errors import AlreadyMember
from contexts.organizations.domain.model import Membership, Organization, OrganizationView
from kernel.actors import UserId
from kernel.pagination import Page, PageRequest
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role

# Rows are read as tuples of these columns and built into entities directly: cheaper than
# model instances, which matters on every page of a list.
MEMBERSHIP_COLUMNS = ("organization_id", "user_id", "role")
VIEW_COLUMNS = ("organization_id", "organization__name", "organization__created_at", "role")


def _membership(row: tuple[Any, ...]) -> Membership:
    organization_id, user_id, role = row
    return Membership(OrganizationId(organization_id), UserId(user_id), Role(role))


def _view(row: tuple[Any, ...]) -> OrganizationView:
    organization_id, name, created_at, role = row
    return OrganizationView(OrganizationId(organization_id), name, created_at, Role(role))


_ROLE_SQL = (
    f"SELECT role FROM {models.Membership._meta.db_table} "  # noqa: S608  (a constant table name)
    "WHERE organization_id = %s AND user_id = %s"
)


class DjangoOrganizationRepository:
    def add(self, *, name: str) -> Organization:
        row = models.Organization.objects.create(name=name)
        return Organization(OrganizationId(row.pk), row.name, row.created_at)

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

    def save(self, organization: Organization) -> None:
        models.Organization.objects.filter(pk=organization.id).update(
            name=organization.name, updated_at=timezone.now()
        )

    def list_for_member(self, user_id: UserId, page: PageRequest) -> Page[OrganizationView]:
        rows = models.Membership.objects.filter(user_id=user_id)
        return keyset_page(
            rows, ordering=["organization_id"], page=page, columns=VIEW_COLUMNS, build=_view
        )


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

    def get(self, organization_id: OrganizationId, user_id: UserId) -> Membership | None:
        # On every request under /orgs/{org_id}/ (the tenancy check), so written as plain SQL:
        # building the equivalent ORM query costs more than running it on the index.
        with connection.cursor() as cursor:
            cursor.execute(_ROLE_SQL, [organization_id, user_id])
            row = cursor.fetchone()
        return Membership(organization_id, user_id, Role(row[0])) if row else None

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

    def set_role(self, membership: Membership) -> None:
        models.Membership.objects.filter(
            organization_id=membership.organization_id, user_id=membership.user_id
        ).update(role=membership.role.value, updated_at=timezone.now())

    def remove(self, organization_id: OrganizationId, user_id: UserId) -> None:
        models.Membership.objects.filter(organization_id=organization_id, user_id=user_id).delete()

    def list_page(self, organization_id: OrganizationId, page: PageRequest) -> Page[Membership]:
        rows = models.Membership.objects.filter(organization_id=organization_id)
        return keyset_page(
            rows, ordering=["user_id"], page=page, columns=MEMBERSHIP_COLUMNS, build=_membership
        )


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
