"""Identity's use cases against in-memory fakes: no database, no HTTP, milliseconds."""

from __future__ import annotations

import pytest

from contexts.identity.api import IdentityApi, UserSummary
from contexts.identity.application.services import IdentityService
from contexts.identity.domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvalidEmail,
    InvalidProfile,
    LoginLockedOut,
    UserNotFound,
    WeakPassword,
)
from contexts.identity.domain.model import BIO_MAX_LENGTH, NAME_MAX_LENGTH, UserId
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
def service(uow: FakeIdentityUnitOfWork, tokens: FakeTokenIssuer) -> IdentityService:
    return IdentityService(
        uow=uow,
        passwords=FakePasswordPolicy(),
        authenticator=FakeAuthenticator(uow.users, limit=3),
        tokens=tokens,
    )


def test_register_normalizes_the_email_and_commits(
    service: IdentityService, uow: FakeIdentityUnitOfWork
) -> None:
    user = service.register(email="  Ann@Example.COM ", password=PASSWORD, name="Ann")

    assert user.email == "ann@example.com"
    assert user.profile.name == "Ann"
    assert user.profile.bio == ""
    assert uow.commits == 1
    assert uow.users.password_hashes[user.id] != PASSWORD


def test_register_rejects_a_taken_email_whatever_its_case(service: IdentityService) -> None:
    service.register(email="ann@example.com", password=PASSWORD, name="Ann")

    with pytest.raises(EmailAlreadyRegistered):
        service.register(email="ANN@example.com", password=PASSWORD, name="Other Ann")


@pytest.mark.parametrize("email", ["", "ann", "ann@", "@example.com", "a b@example.com"])
def test_register_rejects_an_implausible_email(service: IdentityService, email: str) -> None:
    with pytest.raises(InvalidEmail):
        service.register(email=email, password=PASSWORD, name="Ann")


def test_register_reports_every_password_rule_broken(
    service: IdentityService, uow: FakeIdentityUnitOfWork
) -> None:
    with pytest.raises(WeakPassword) as raised:
        service.register(email="ann@example.com", password="ann", name="Ann")

    assert len(raised.value.reasons) == 2
    assert uow.commits == 0
    assert uow.users.users == {}


@pytest.mark.parametrize("name", ["", "   ", "x" * (NAME_MAX_LENGTH + 1)])
def test_register_validates_the_name(service: IdentityService, name: str) -> None:
    with pytest.raises(InvalidProfile) as raised:
        service.register(email="ann@example.com", password=PASSWORD, name=name)

    assert raised.value.field == "name"


def test_login_issues_a_token_for_valid_credentials(
    service: IdentityService, tokens: FakeTokenIssuer
) -> None:
    user = service.register(email="ann@example.com", password=PASSWORD, name="Ann")

    issued = service.login(email="ANN@example.com", password=PASSWORD)

    assert tokens.issued[issued.token] == user.id


def test_login_fails_the_same_way_for_unknown_email_and_wrong_password(
    service: IdentityService,
) -> None:
    service.register(email="ann@example.com", password=PASSWORD, name="Ann")

    with pytest.raises(InvalidCredentials) as wrong_password:
        service.login(email="ann@example.com", password="not it")
    with pytest.raises(InvalidCredentials) as unknown_email:
        service.login(email="bob@example.com", password=PASSWORD)

    assert str(wrong_password.value) == str(unknown_email.value)


def test_login_locks_out_after_repeated_failures_even_with_the_right_password(
    service: IdentityService,
) -> None:
    service.register(email="ann@example.com", password=PASSWORD, name="Ann")
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            service.login(email="ann@example.com", password="not it")

    with pytest.raises(LoginLockedOut) as raised:
        service.login(email="ann@example.com", password=PASSWORD)

    assert raised.value.retry_after == 60


def test_logout_revokes_the_token(service: IdentityService, tokens: FakeTokenIssuer) -> None:
    service.register(email="ann@example.com", password=PASSWORD, name="Ann")
    issued = service.login(email="ann@example.com", password=PASSWORD)

    service.logout(token_id=issued.token)

    assert issued.token not in tokens.issued


def test_update_profile_changes_only_the_given_fields(
    service: IdentityService, uow: FakeIdentityUnitOfWork
) -> None:
    user = service.register(email="ann@example.com", password=PASSWORD, name="Ann")

    service.update_profile(actor_id=user.id, bio="Writes code.")
    updated = service.update_profile(actor_id=user.id, name="Annie")

    assert (updated.profile.name, updated.profile.bio) == ("Annie", "Writes code.")
    assert uow.users.get(user.id).profile == updated.profile


def test_update_profile_rejects_an_overlong_bio_and_keeps_the_old_one(
    service: IdentityService, uow: FakeIdentityUnitOfWork
) -> None:
    user = service.register(email="ann@example.com", password=PASSWORD, name="Ann")

    with pytest.raises(InvalidProfile) as raised:
        service.update_profile(actor_id=user.id, bio="x" * (BIO_MAX_LENGTH + 1))

    assert raised.value.field == "bio"
    assert uow.users.get(user.id).profile.bio == ""


def test_get_me_of_an_unknown_user_is_not_found(service: IdentityService) -> None:
    with pytest.raises(UserNotFound):
        service.get_me(actor_id=UserId(404))


def test_api_describes_users_with_plain_data(
    service: IdentityService, uow: FakeIdentityUnitOfWork
) -> None:
    ann = service.register(email="ann@example.com", password=PASSWORD, name="Ann")
    api = IdentityApi(uow_factory=lambda: uow)

    assert api.find_user_by_email("ANN@example.com") == UserSummary(
        id=ann.id, email="ann@example.com", name="Ann"
    )
    assert api.find_user_by_email("nobody@example.com") is None
    assert api.describe_users([ann.id, 999]) == {
        ann.id: UserSummary(id=ann.id, email="ann@example.com", name="Ann")
    }
