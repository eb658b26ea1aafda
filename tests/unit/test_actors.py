"""The actor every use case runs for: its roles, how they are checked, and that they hold."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import cast

import attrs
import pytest

from kernel.actors import Actor, UserId
from kernel.tenancy import OrganizationId, OrganizationNotFound, Role, RoleTooLow, StaffOnly

ANN = UserId(1)
ACME, GLOBEX = OrganizationId(1), OrganizationId(2)


def test_an_actor_is_by_default_neither_staff_nor_a_member_anywhere() -> None:
    actor = Actor(ANN)

    assert actor.is_staff is False
    assert dict(actor.roles) == {}
    assert actor.role_in(ACME) is None


@pytest.mark.parametrize(
    ("held", "minimum"),
    [(held, minimum) for held in Role for minimum in Role if held.at_least(minimum)],
)
def test_require_role_answers_a_role_at_or_above_the_minimum(held: Role, minimum: Role) -> None:
    assert Actor(ANN).with_role(ACME, held).require_role(ACME, minimum) is held


@pytest.mark.parametrize(
    ("held", "minimum"),
    [(held, minimum) for held in Role for minimum in Role if not held.at_least(minimum)],
)
def test_require_role_refuses_a_lower_role(held: Role, minimum: Role) -> None:
    actor = Actor(ANN).with_role(ACME, held)

    with pytest.raises(RoleTooLow) as raised:
        actor.require_role(ACME, minimum)

    assert minimum.value in raised.value.message


@pytest.mark.parametrize(
    "actor",
    [
        pytest.param(Actor(ANN), id="no-role"),
        pytest.param(Actor(ANN).with_role(GLOBEX, Role.OWNER), id="owner-elsewhere"),
        pytest.param(Actor(ANN, is_staff=True), id="staff"),
    ],
)
def test_require_role_hides_the_organization_from_a_non_member(actor: Actor) -> None:
    with pytest.raises(OrganizationNotFound):
        actor.require_role(ACME, Role.MEMBER)


def test_with_role_returns_a_copy_and_leaves_the_original_alone() -> None:
    actor = Actor(ANN, is_staff=True)

    member = actor.with_role(ACME, Role.MEMBER)

    assert member is not actor
    assert actor.role_in(ACME) is None
    assert (member.user_id, member.is_staff, member.role_in(ACME)) == (ANN, True, Role.MEMBER)


def test_with_role_keeps_the_other_roles_and_replaces_the_same_organizations() -> None:
    actor = Actor(ANN).with_role(ACME, Role.MEMBER).with_role(GLOBEX, Role.ADMIN)

    promoted = actor.with_role(ACME, Role.OWNER)

    assert dict(promoted.roles) == {ACME: Role.OWNER, GLOBEX: Role.ADMIN}
    assert dict(actor.roles) == {ACME: Role.MEMBER, GLOBEX: Role.ADMIN}


def test_require_staff_passes_staff_and_refuses_everyone_else() -> None:
    Actor(ANN, is_staff=True).require_staff()

    with pytest.raises(StaffOnly):
        Actor(ANN).with_role(ACME, Role.OWNER).require_staff()


def test_staff_only_is_a_role_too_low() -> None:
    with pytest.raises(RoleTooLow):
        Actor(ANN).require_staff()


def test_roles_cannot_be_changed_in_place() -> None:
    actor = Actor(ANN).with_role(ACME, Role.MEMBER)
    roles = cast("MutableMapping[OrganizationId, Role]", actor.roles)

    with pytest.raises(TypeError):
        roles[ACME] = Role.OWNER
    with pytest.raises(TypeError):
        roles[GLOBEX] = Role.OWNER

    assert dict(actor.roles) == {ACME: Role.MEMBER}


def test_roles_are_copied_from_the_mapping_given() -> None:
    given = {ACME: Role.MEMBER}
    actor = Actor(ANN, roles=given)

    given[ACME] = Role.OWNER
    given[GLOBEX] = Role.OWNER

    assert dict(actor.roles) == {ACME: Role.MEMBER}


def test_an_actor_is_frozen() -> None:
    actor = Actor(ANN)

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        actor.is_staff = True  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        actor.roles = {ACME: Role.OWNER}  # type: ignore[misc]


def test_actors_with_the_same_user_staff_flag_and_roles_are_equal() -> None:
    assert Actor(ANN).with_role(ACME, Role.ADMIN) == Actor(ANN, roles={ACME: Role.ADMIN})
    assert Actor(ANN).with_role(ACME, Role.ADMIN) != Actor(ANN).with_role(ACME, Role.OWNER)
    assert Actor(ANN) != Actor(ANN, is_staff=True)
