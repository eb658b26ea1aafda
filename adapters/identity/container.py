"""Identity's dependency-injection container: which adapter implements which port."""

from dependency_injector import containers, providers

from adapters.identity.repositories import DjangoIdentityUnitOfWork
from adapters.identity.security import AxesAuthenticator, DjangoPasswordPolicy, KnoxTokenIssuer
from contexts.identity.api import IdentityApi
from contexts.identity.application.services import TokenService, UserService


class IdentityContainer(containers.DeclarativeContainer):
    # Factories, never singletons: a unit of work is one transaction.
    uow = providers.Factory(DjangoIdentityUnitOfWork)
    passwords = providers.Factory(DjangoPasswordPolicy)
    authenticator = providers.Factory(AxesAuthenticator)
    token_issuer = providers.Factory(KnoxTokenIssuer)

    user_service = providers.Factory(UserService, uow=uow, passwords=passwords)
    token_service = providers.Factory(
        TokenService, authenticator=authenticator, tokens=token_issuer
    )
    # What other contexts may ask of identity (wired to their ports by the composition root).
    api = providers.Factory(IdentityApi, users=user_service.provider)
