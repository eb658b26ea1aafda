"""Identity's use cases against in-memory fakes: no database, no HTTP, milliseconds."""

from __future__ import annotations

import pytest

from contexts.identity.api import IdentityApi, UserSummary
from contexts.identity.application.services import TokenService, UserService
from contexts.identity.domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidEmail,
    InvalidProfile,
    LoginLockedOut,
    UserNotFound,
    WeakPassword,
)
from contexts.identity.domain.model import BIO_MAX_LENGTH, NAME_MAX_LENGTH, TokenId, User
from kernel.actors import Actor, UserId
from tests.unit.identity.fakes import (
    FakeAuthenticator,
    FakeIdentityUnitOfWork,
    FakePasswordPolicy,
    FakeTokenIssuer,
    FakeUserRepository,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def uow() -> FakeIdentityUnitOfWork:
    return FakeIdentityUnitOfWork(FakeUserRepository())


@pytest.fixture
def tokens() -> FakeTokenIssuer:
    return FakeTokenIssuer()


@pytest.fixture
def users(uow: FakeIdentityUnitOfWork) -> UserService:
    return UserService(uow=uow, passwords=FakePasswordPolicy())


@pytest.fixture
def token_service(uow: FakeIdentityUnitOfWork, tokens: FakeTokenIssuer) -> TokenService:
    return TokenService(authenticator=FakeAuthenticator(uow.users, limit=3), tokens=tokens)


@pytest.fixture
def ann(users: UserService) -> User:
    return users.register(email="ann@example.com", password=PASSWORD, name="Ann")


def actor_of(user: User) -> Actor:
    return Actor(user.id)


# --- registering ---------------------------------------------------------------------------------


def test_register_normalizes_the_email_and_commits(
    users: UserService, uow: FakeIdentityUnitOfWork
) -> None:
    user = users.register(email="  Ann@Example.COM ", password=PASSWORD, name="Ann")

    assert user.email == "ann@example.com"
    assert user.profile.name == "Ann"
    assert user.profile.bio == ""
    assert uow.commits == 1
    assert uow.users.password_hashes[user.id] != PASSWORD


def test_register_rejects_a_taken_email_whatever_its_case(users: UserService, ann: User) -> None:
    with pytest.raises(EmailAlreadyRegistered):
        users.register(email="ANN@example.com", password=PASSWORD, name="Other Ann")


@pytest.mark.parametrize("email", ["", "ann", "ann@", "@example.com", "a b@example.com"])
def test_register_rejects_an_implausible_email(users: UserService, email: str) -> None:
    with pytest.raises(InvalidEmail):
        users.register(email=email, password=PASSWORD, name="Ann")


def test_register_reports_every_password_rule_broken(
    users: UserService, uow: FakeIdentityUnitOfWork
) -> None:
    with pytest.raises(WeakPassword) as raised:
        users.register(email="ann@example.com", password="ann", name="Ann")

    assert len(raised.value.reasons) == 2
    assert uow.commits == 0
    assert uow.users.users == {}


@pytest.mark.parametrize("name", ["", "   ", "x" * (NAME_MAX_LENGTH + 1)])
def test_register_validates_the_name(users: UserService, name: str) -> None:
    with pytest.raises(InvalidProfile) as raised:
        users.register(email="ann@example.com", password=PASSWORD, name=name)

    assert raised.value.field == "name"


# --- tokens --------------------------------------------------------------------------------------


def test_issue_gives_a_token_for_valid_credentials(
    token_service: TokenService, tokens: FakeTokenIssuer, ann: User
) -> None:
    issued = token_service.issue(email="ANN@example.com", password=PASSWORD)

    assert tokens.issued[issued.token] == ann.id


def test_issue_fails_the_same_way_for_unknown_email_and_wrong_password(
    token_service: TokenService, ann: User
) -> None:
    with pytest.raises(InvalidCredentials) as wrong_password:
        token_service.issue(email="ann@example.com", password="not it")
    with pytest.raises(InvalidCredentials) as unknown_email:
        token_service.issue(email="bob@example.com", password=PASSWORD)

    assert str(wrong_password.value) == str(unknown_email.value)


def test_issue_locks_out_after_repeated_failures_even_with_the_right_password(
    token_service: TokenService, ann: User
) -> None:
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            token_service.issue(email="ann@example.com", password="not it")

    with pytest.raises(LoginLockedOut) as raised:
        token_service.issue(email="ann@example.com", password=PASSWORD)

    assert raised.value.retry_after == 60


def test_revoke_revokes_the_actors_token(
    token_service: TokenService, tokens: FakeTokenIssuer, ann: User
) -> None:
    issued = token_service.issue(email="ann@example.com", password=PASSWORD)

    token_service.revoke(actor=actor_of(ann), token_id=TokenId(issued.token))

    assert issued.token not in tokens.issued


def test_revoke_leaves_another_users_token_alone(
    users: UserService, token_service: TokenService, tokens: FakeTokenIssuer, ann: User
) -> None:
    bob = users.register(email="bob@example.com", password=PASSWORD, name="Bob")
    bobs = token_service.issue(email="bob@example.com", password=PASSWORD)
    anns = token_service.issue(email="ann@example.com", password=PASSWORD)

    token_service.revoke(actor=actor_of(ann), token_id=TokenId(bobs.token))

    assert tokens.issued == {bobs.token: bob.id, anns.token: ann.id}


# --- one's own account ---------------------------------------------------------------------------


def test_get_returns_the_actors_own_account(users: UserService, ann: User) -> None:
    me = users.get(actor=actor_of(ann))

    assert (me.id, me.email, me.profile.name) == (ann.id, "ann@example.com", "Ann")


def test_get_of_an_unknown_user_is_not_found(users: UserService) -> None:
    with pytest.raises(UserNotFound):
        users.get(actor=Actor(UserId(404)))


def test_update_profile_changes_only_the_given_fields(
    users: UserService, uow: FakeIdentityUnitOfWork, ann: User
) -> None:
    users.update_profile(actor=actor_of(ann), bio="Writes code.")
    updated = users.update_profile(actor=actor_of(ann), name="Annie")

    assert (updated.profile.name, updated.profile.bio) == ("Annie", "Writes code.")
    assert uow.users.get(ann.id).profile == updated.profile


def test_update_profile_changes_only_the_actors_own_account(
    users: UserService, uow: FakeIdentityUnitOfWork, ann: User
) -> None:
    bob = users.register(email="bob@example.com", password=PASSWORD, name="Bob")

    users.update_profile(actor=actor_of(bob), name="Robert")

    assert uow.users.get(ann.id).profile.name == "Ann"
    assert uow.users.get(bob.id).profile.name == "Robert"


def test_update_profile_rejects_an_overlong_bio_and_keeps_the_old_one(
    users: UserService, uow: FakeIdentityUnitOfWork, ann: User
) -> None:
    with pytest.raises(InvalidProfile) as raised:
        users.update_profile(actor=actor_of(ann), bio="x" * (BIO_MAX_LENGTH + 1))

    assert raised.value.field == "bio"
    assert uow.users.get(ann.id).profile.bio == ""


# --- for other contexts --------------------------------------------------------------------------


def test_find_by_email_ignores_case_and_answers_none_for_strangers(
    users: UserService, ann: User
) -> None:
    assert users.find_by_email(email=" ANN@example.com") == ann
    assert users.find_by_email(email="nobody@example.com") is None


def test_api_describes_users_with_plain_data(users: UserService, ann: User) -> None:
    api = IdentityApi(users=lambda: users)

    assert api.find_user_by_email(email="ANN@example.com") == UserSummary(
        id=ann.id, email="ann@example.com", name="Ann"
    )
    assert api.find_user_by_email(email="nobody@example.com") is None
    assert api.describe_users(user_ids=[ann.id, UserId(999)]) == {
        ann.id: UserSummary(id=ann.id, email="ann@example.com", name="Ann")
    }
