"""Identity's dependency-injection container: which adapter implements which port."""

from dependency_injector import containers, providers

from adapters.identity.email import DjangoAccountEmails
from adapters.identity.repositories import DjangoIdentityUnitOfWork, DjangoUserRepository
from adapters.identity.security import (
    AxesAuthenticator,
    DjangoAccountTokens,
    DjangoPasswordPolicy,
    KnoxTokenIssuer,
)
from contexts.identity.api import IdentityApi
from contexts.identity.application.handlers import SendPasswordResetEmail, SendVerificationEmail
from contexts.identity.application.services import AccountService, TokenService, UserService


class IdentityContainer(containers.DeclarativeContainer):
    # Factories, never singletons: a unit of work is one transaction.
    uow = providers.Factory(DjangoIdentityUnitOfWork)
    users = providers.Factory(DjangoUserRepository)
    passwords = providers.Factory(DjangoPasswordPolicy)
    authenticator = providers.Factory(AxesAuthenticator)
    token_issuer = providers.Factory(KnoxTokenIssuer)
    account_tokens = providers.Factory(DjangoAccountTokens)
    account_emails = providers.Factory(DjangoAccountEmails)

    user_service = providers.Factory(UserService, uow=uow, passwords=passwords)
    account_service = providers.Factory(
        AccountService,
        uow=uow,
        passwords=passwords,
        authenticator=authenticator,
        tokens=token_issuer,
        account_tokens=account_tokens,
    )
    token_service = providers.Factory(
        TokenService, authenticator=authenticator, tokens=token_issuer
    )
    # Outbox handlers (IdentityConfig.outbox_handlers): the account emails, after the commit.
    send_verification_email = providers.Factory(
        SendVerificationEmail, users=users, tokens=account_tokens, emails=account_emails
    )
    send_password_reset_email = providers.Factory(
        SendPasswordResetEmail, users=users, tokens=account_tokens, emails=account_emails
    )
    # What other contexts may ask of identity (wired to their ports by the composition root).
    api = providers.Factory(IdentityApi, users=user_service.provider)
