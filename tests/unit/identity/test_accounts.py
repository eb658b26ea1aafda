"""An account's lifecycle (AccountService) and the account emails (handlers), on fakes."""

from __future__ import annotations

import pytest

from contexts.identity.application.handlers import SendPasswordResetEmail, SendVerificationEmail
from contexts.identity.application.services import AccountService, UserService
from contexts.identity.domain.errors import (
    IncorrectPassword,
    InvalidToken,
    LoginLockedOut,
    WeakPassword,
)
from contexts.identity.domain.events import (
    PasswordResetRequested,
    UserRegistered,
    VerificationEmailRequested,
)
from contexts.identity.domain.model import TokenId, TokenPurpose, User
from kernel.actors import Actor, UserId
from tests.unit.identity.fakes import (
    FakeAccountEmails,
    FakeAccountTokens,
    FakeAuthenticator,
    FakeIdentityUnitOfWork,
    FakePasswordPolicy,
    FakeTokenIssuer,
    FakeUserRepository,
)

PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def uow() -> FakeIdentityUnitOfWork:
    return FakeIdentityUnitOfWork(FakeUserRepository())


@pytest.fixture
def api_tokens() -> FakeTokenIssuer:
    return FakeTokenIssuer()


@pytest.fixture
def account_tokens(uow: FakeIdentityUnitOfWork) -> FakeAccountTokens:
    return FakeAccountTokens(uow.users)


@pytest.fixture
def authenticator(uow: FakeIdentityUnitOfWork) -> FakeAuthenticator:
    return FakeAuthenticator(uow.users, limit=3)


@pytest.fixture
def accounts(
    uow: FakeIdentityUnitOfWork,
    api_tokens: FakeTokenIssuer,
    account_tokens: FakeAccountTokens,
    authenticator: FakeAuthenticator,
) -> AccountService:
    return AccountService(
        uow=uow,
        passwords=FakePasswordPolicy(),
        authenticator=authenticator,
        tokens=api_tokens,
        account_tokens=account_tokens,
    )


@pytest.fixture
def ann(uow: FakeIdentityUnitOfWork) -> User:
    users = UserService(uow=uow, passwords=FakePasswordPolicy())
    user = users.register(email="ann@example.com", password=PASSWORD, name="Ann")
    uow.outbox.events.clear()
    return user


@pytest.fixture
def emails() -> FakeAccountEmails:
    return FakeAccountEmails()


def hash_of(password: str) -> str:
    return FakePasswordPolicy().hash(password)


# --- registration ------------------------------------------------------------------------------


def test_registering_records_the_event_that_sends_the_verification_email(
    uow: FakeIdentityUnitOfWork,
) -> None:
    users = UserService(uow=uow, passwords=FakePasswordPolicy())
    user = users.register(email="ann@example.com", password=PASSWORD, name="Ann")

    assert uow.outbox.events == [UserRegistered(user_id=user.id)]
    assert not user.email_verified


def test_a_refused_registration_records_nothing(uow: FakeIdentityUnitOfWork) -> None:
    users = UserService(uow=uow, passwords=FakePasswordPolicy())
    with pytest.raises(WeakPassword):
        users.register(email="ann@example.com", password="short", name="Ann")

    assert uow.outbox.events == []


# --- asking for a reset ------------------------------------------------------------------------


def test_a_reset_for_a_known_email_records_the_event_with_the_id_only(
    accounts: AccountService, uow: FakeIdentityUnitOfWork, ann: User
) -> None:
    accounts.request_password_reset(email="  ANN@example.com ")

    assert uow.outbox.events == [PasswordResetRequested(user_id=ann.id)]
    assert uow.outbox.events[0].payload() == {"user_id": ann.id}


def test_a_reset_for_an_unknown_email_records_nothing(
    accounts: AccountService, uow: FakeIdentityUnitOfWork, ann: User
) -> None:
    accounts.request_password_reset(email="nobody@example.com")

    assert uow.outbox.events == []
    assert uow.commits == 1  # the registration's only


# --- resetting ---------------------------------------------------------------------------------


def test_a_reset_sets_the_password_revokes_every_token_and_verifies_the_email(
    accounts: AccountService,
    uow: FakeIdentityUnitOfWork,
    api_tokens: FakeTokenIssuer,
    account_tokens: FakeAccountTokens,
    ann: User,
) -> None:
    api_tokens.issue(ann.id)
    api_tokens.issue(ann.id)
    others = api_tokens.issue(UserId(99))
    token = account_tokens.issue(user_id=ann.id, purpose=TokenPurpose.PASSWORD_RESET)

    accounts.reset_password(token=token, password=NEW_PASSWORD)

    assert uow.users.password_hashes[ann.id] == hash_of(NEW_PASSWORD)
    assert list(api_tokens.issued) == [others.token]
    assert uow.users.get(ann.id).email_verified


def test_a_reset_token_works_once(
    accounts: AccountService, account_tokens: FakeAccountTokens, ann: User
) -> None:
    token = account_tokens.issue(user_id=ann.id, purpose=TokenPurpose.PASSWORD_RESET)
    accounts.reset_password(token=token, password=NEW_PASSWORD)

    with pytest.raises(InvalidToken):
        accounts.reset_password(token=token, password="yet another passphrase")


@pytest.mark.parametrize("token", ["", "garbage", "1:password-reset:forged", "99:x:y"])
def test_a_bad_reset_token_is_refused(
    accounts: AccountService, uow: FakeIdentityUnitOfWork, ann: User, token: str
) -> None:
    with pytest.raises(InvalidToken):
        accounts.reset_password(token=token, password=NEW_PASSWORD)

    assert uow.users.password_hashes[ann.id] == hash_of(PASSWORD)


def test_an_expired_reset_token_is_refused(
    accounts: AccountService, account_tokens: FakeAccountTokens, ann: User
) -> None:
    token = account_tokens.issue(user_id=ann.id, purpose=TokenPurpose.PASSWORD_RESET)
    account_tokens.expired = True

    with pytest.raises(InvalidToken):
        accounts.reset_password(token=token, password=NEW_PASSWORD)


def test_a_verification_token_does_not_reset_a_password(
    accounts: AccountService, account_tokens: FakeAccountTokens, ann: User
) -> None:
    token = account_tokens.issue(user_id=ann.id, purpose=TokenPurpose.EMAIL_VERIFICATION)

    with pytest.raises(InvalidToken):
        accounts.reset_password(token=token, password=NEW_PASSWORD)


def test_a_weak_new_password_keeps_the_token_alive_and_changes_nothing(
    accounts: AccountService,
    uow: FakeIdentityUnitOfWork,
    api_tokens: FakeTokenIssuer,
    account_tokens: FakeAccountTokens,
    ann: User,
) -> None:
    api_tokens.issue(ann.id)
    token = account_tokens.issue(user_id=ann.id, purpose=TokenPurpose.PASSWORD_RESET)

    with pytest.raises(WeakPassword):
        accounts.reset_password(token=token, password="short")

    assert uow.users.password_hashes[ann.id] == hash_of(PASSWORD)
    assert len(api_tokens.issued) == 1
    accounts.reset_password(token=token, password=NEW_PASSWORD)


# --- changing one's password -------------------------------------------------------------------


def test_changing_the_password_keeps_only_the_token_in_use(
    accounts: AccountService,
    uow: FakeIdentityUnitOfWork,
    api_tokens: FakeTokenIssuer,
    ann: User,
) -> None:
    in_use = api_tokens.issue(ann.id)
    api_tokens.issue(ann.id)

    accounts.change_password(
        actor=Actor(ann.id),
        current_password=PASSWORD,
        new_password=NEW_PASSWORD,
        keep_token_id=TokenId(in_use.token),
    )

    assert uow.users.password_hashes[ann.id] == hash_of(NEW_PASSWORD)
    assert list(api_tokens.issued) == [in_use.token]


def test_a_wrong_current_password_is_refused_and_counts_towards_the_lock_out(
    accounts: AccountService,
    uow: FakeIdentityUnitOfWork,
    authenticator: FakeAuthenticator,
    ann: User,
) -> None:
    for _ in range(3):
        with pytest.raises(IncorrectPassword):
            accounts.change_password(
                actor=Actor(ann.id),
                current_password="wrong password",
                new_password=NEW_PASSWORD,
                keep_token_id=TokenId("t"),
            )
    assert authenticator.failures == {"ann@example.com": 3}
    with pytest.raises(LoginLockedOut):
        accounts.change_password(
            actor=Actor(ann.id),
            current_password=PASSWORD,
            new_password=NEW_PASSWORD,
            keep_token_id=TokenId("t"),
        )
    assert uow.users.password_hashes[ann.id] == hash_of(PASSWORD)


def test_the_new_password_must_pass_the_policy(
    accounts: AccountService, uow: FakeIdentityUnitOfWork, ann: User
) -> None:
    with pytest.raises(WeakPassword):
        accounts.change_password(
            actor=Actor(ann.id),
            current_password=PASSWORD,
            new_password="ann-is-me-forever",
            keep_token_id=TokenId("t"),
        )
    assert uow.users.password_hashes[ann.id] == hash_of(PASSWORD)


# --- verifying the email -----------------------------------------------------------------------


def test_verifying_marks_the_email_and_the_token_works_once(
    accounts: AccountService,
    uow: FakeIdentityUnitOfWork,
    account_tokens: FakeAccountTokens,
    ann: User,
) -> None:
    token = account_tokens.issue(user_id=ann.id, purpose=TokenPurpose.EMAIL_VERIFICATION)

    accounts.verify_email(token=token)

    assert uow.users.get(ann.id).email_verified
    with pytest.raises(InvalidToken):
        accounts.verify_email(token=token)


def test_a_reset_token_does_not_verify_an_email(
    accounts: AccountService,
    uow: FakeIdentityUnitOfWork,
    account_tokens: FakeAccountTokens,
    ann: User,
) -> None:
    token = account_tokens.issue(user_id=ann.id, purpose=TokenPurpose.PASSWORD_RESET)

    with pytest.raises(InvalidToken):
        accounts.verify_email(token=token)
    assert not uow.users.get(ann.id).email_verified


def test_asking_for_a_verification_email_records_the_event_unless_verified(
    accounts: AccountService, uow: FakeIdentityUnitOfWork, ann: User
) -> None:
    accounts.request_verification_email(actor=Actor(ann.id))
    assert uow.outbox.events == [VerificationEmailRequested(user_id=ann.id)]

    uow.users.mark_email_verified(ann.id)
    accounts.request_verification_email(actor=Actor(ann.id))
    assert len(uow.outbox.events) == 1


# --- the handlers ------------------------------------------------------------------------------


def test_the_verification_handler_sends_a_fresh_token_that_verifies(
    accounts: AccountService,
    uow: FakeIdentityUnitOfWork,
    account_tokens: FakeAccountTokens,
    emails: FakeAccountEmails,
    ann: User,
) -> None:
    handler = SendVerificationEmail(users=uow.users, tokens=account_tokens, emails=emails)

    handler(UserRegistered(user_id=ann.id).payload())

    [(kind, address, token)] = emails.sent
    assert (kind, address) == ("verification", "ann@example.com")
    accounts.verify_email(token=token)
    assert uow.users.get(ann.id).email_verified


def test_the_verification_handler_sends_nothing_to_a_verified_or_missing_account(
    uow: FakeIdentityUnitOfWork,
    account_tokens: FakeAccountTokens,
    emails: FakeAccountEmails,
    ann: User,
) -> None:
    handler = SendVerificationEmail(users=uow.users, tokens=account_tokens, emails=emails)
    uow.users.mark_email_verified(ann.id)

    handler(VerificationEmailRequested(user_id=ann.id).payload())
    handler(VerificationEmailRequested(user_id=999).payload())

    assert emails.sent == []


def test_the_reset_handler_sends_a_token_that_resets(
    accounts: AccountService,
    uow: FakeIdentityUnitOfWork,
    account_tokens: FakeAccountTokens,
    emails: FakeAccountEmails,
    ann: User,
) -> None:
    handler = SendPasswordResetEmail(users=uow.users, tokens=account_tokens, emails=emails)

    handler(PasswordResetRequested(user_id=ann.id).payload())
    handler(PasswordResetRequested(user_id=999).payload())

    [(kind, address, token)] = emails.sent
    assert (kind, address) == ("password-reset", "ann@example.com")
    accounts.reset_password(token=token, password=NEW_PASSWORD)
    assert uow.users.password_hashes[ann.id] == hash_of(NEW_PASSWORD)
