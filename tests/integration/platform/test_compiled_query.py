"""``CompiledQuery`` and ``CompiledUpdate`` (adapters/platform/persistence/compiled.py), and the
compiled timestamp loader (adapters/platform/persistence/timestamps.py): the rows read and
written are exactly the ORM's, on SQLite and PostgreSQL, whatever values a later run binds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.test.utils import CaptureQueriesContext

from adapters.organizations import models
from adapters.organizations.repositories import INVITATION_COLUMNS, VIEW_COLUMNS
from adapters.platform.persistence.compiled import CompiledQuery, CompiledUpdate
from adapters.platform.persistence.timestamps import compiled_timestamp_loader, timestamptz_oid
from tests.factories import make_organization, make_user

pytestmark = pytest.mark.django_db

MEMBER_VIEWS = CompiledQuery(
    lambda given: (
        models.Membership.objects.filter(user_id=given["user_id"])
        .order_by("organization_id")
        .values_list(*VIEW_COLUMNS)
    )
)
OPEN_INVITATIONS = CompiledQuery(
    lambda given: (
        models.Invitation.objects.filter(
            organization_id=given["organization_id"], status="pending", expires_at__gt=given["now"]
        )
        .order_by("-id")
        .values_list(*INVITATION_COLUMNS)
    )
)


def _invite(organization: Any, email: str, expires_at: datetime) -> None:
    models.Invitation.objects.create(
        organization_id=organization.id, email=email, role="member", expires_at=expires_at
    )


def test_rows_are_the_orms_through_a_join_and_for_every_run() -> None:
    alice, bob = make_user(), make_user()
    make_organization("First", owner=alice)
    make_organization("Second", admin=alice, owner=bob)

    for user in (alice, bob, alice):  # the second run for alice reuses the compiled statement
        expected = list(
            models.Membership.objects.filter(user_id=user.pk)
            .order_by("organization_id")
            .values_list(*VIEW_COLUMNS)
        )
        assert MEMBER_VIEWS.rows({"user_id": user.pk}) == expected
    created_at = MEMBER_VIEWS.rows({"user_id": bob.pk})[0][2]
    assert isinstance(created_at, datetime)
    assert created_at.tzinfo == UTC  # SQLite's text went through the ORM's converters


def test_a_datetime_value_is_prepared_as_the_orm_prepares_it() -> None:
    owner = make_user()
    organization = make_organization("Inviting", owner=owner)
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for days, email in ((-1, "gone@example.com"), (1, "soon@example.com"), (9, "late@example.com")):
        _invite(organization, email, now + timedelta(days=days))

    for moment in (now, now + timedelta(days=2), now - timedelta(days=5)):
        given = {"organization_id": organization.id, "now": moment}
        expected = list(
            models.Invitation.objects.filter(
                organization_id=organization.id, status="pending", expires_at__gt=moment
            )
            .order_by("-id")
            .values_list(*INVITATION_COLUMNS)
        )
        assert OPEN_INVITATIONS.rows(given) == expected
    emails = [
        row[2] for row in OPEN_INVITATIONS.rows({"organization_id": organization.id, "now": now})
    ]
    assert emails == ["late@example.com", "soon@example.com"]


def test_an_integer_the_column_cannot_hold_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="out of range"):
        MEMBER_VIEWS.rows({"user_id": 2**70})


def test_a_value_of_the_wrong_type_is_refused_as_the_orm_refuses_it() -> None:
    with pytest.raises(ValueError, match="expected a number"):
        MEMBER_VIEWS.rows({"user_id": "seven"})


def test_a_placeholder_outside_a_plain_comparison_is_refused_when_compiled() -> None:
    query = CompiledQuery(
        lambda given: models.Invitation.objects.filter(email__icontains=given["email"]).values_list(
            "id"
        )
    )
    with pytest.raises(TypeError, match="icontains"):
        query.rows({"email": "example"})


@pytest.mark.postgres
def test_postgresql_connections_read_timestamps_with_the_compiled_loader() -> None:
    owner = make_user()
    organization = make_organization("Timestamps", owner=owner)
    moments = [
        datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC),
        datetime(1901, 1, 1, tzinfo=UTC),
        datetime(9000, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    ]
    for index, moment in enumerate(moments):
        _invite(organization, f"t{index}@example.com", moment)
    sql = f"SELECT expires_at FROM {models.Invitation._meta.db_table} ORDER BY id"  # noqa: S608
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(timestamptz_oid(), 0)
    assert loader is compiled_timestamp_loader()

    with connection.cursor() as cursor:
        cursor.execute(sql)
        compiled = [row[0] for row in cursor.fetchall()]
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor)  # Django's own loader, for this cursor
        cursor.execute(sql)
        djangos = [row[0] for row in cursor.fetchall()]

    assert compiled == djangos == moments
    assert {value.tzinfo for value in compiled} == {value.tzinfo for value in djangos} == {UTC}


INVITATION_STATUS = CompiledUpdate(
    lambda given: (
        models.Invitation.objects.filter(
            organization_id=given["organization_id"], email=given["email"]
        ),
        {"status": given["status"], "expires_at": given["expires_at"], "role": "admin"},
    )
)


def test_an_update_writes_what_the_orms_update_writes_and_counts_the_rows() -> None:
    owner = make_user()
    organization, other = (make_organization(name, owner=owner) for name in ("One", "Two"))
    now = datetime(2026, 5, 1, 8, 30, 15, 250000, tzinfo=UTC)
    for target in (organization, other):
        _invite(target, "a@example.com", now)
    later = now + timedelta(days=3)

    changed = INVITATION_STATUS.run(
        {
            "organization_id": organization.id,
            "email": "a@example.com",
            "status": "revoked",
            "expires_at": later,
        }
    )
    missing = INVITATION_STATUS.run(
        {
            "organization_id": organization.id,
            "email": "nobody@example.com",
            "status": "revoked",
            "expires_at": later,
        }
    )

    assert (changed, missing) == (1, 0)
    updated = models.Invitation.objects.get(organization_id=organization.id)
    assert (updated.status, updated.expires_at, updated.role) == ("revoked", later, "admin")
    untouched = models.Invitation.objects.get(organization_id=other.id)
    assert (untouched.status, untouched.expires_at, untouched.role) == ("pending", now, "member")


def test_a_locking_query_keeps_its_for_update() -> None:
    query = CompiledQuery(
        lambda given: (
            models.Membership.objects.select_for_update()
            .filter(user_id=given["user_id"])
            .values_list("role")
        )
    )
    owner = make_user()
    make_organization("Locked", owner=owner)
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        assert query.rows({"user_id": owner.pk}) == [("owner",)]
    locking = [
        q["sql"] for q in captured.captured_queries if "organizations_membership" in q["sql"]
    ]
    assert len(locking) == 1
    assert ("FOR UPDATE" in locking[0]) == connection.features.has_select_for_update
