"""Identity's dependency-injection container: which adapter implements which port."""

from dependency_injector import containers, providers

from adapters.identity.repositories import DjangoIdentityUnitOfWork
from adapters.identity.security import AxesAuthenticator, DjangoPasswordPolicy, KnoxTokenIssuer
from contexts.identity.api import IdentityApi
from contexts.identity.application.services import IdentityService


class IdentityContainer(containers.DeclarativeContainer):
    # Factories, never singletons: a unit of work is one transaction.
    uow = providers.Factory(DjangoIdentityUnitOfWork)
    passwords = providers.Factory(DjangoPasswordPolicy)
    authenticator = providers.Factory(AxesAuthenticator)
    tokens = providers.Factory(KnoxTokenIssuer)

    service = providers.Factory(
        IdentityService, uow=uow, passwords=passwords, authenticator=authenticator, tokens=tokens
    )
    # What other contexts may ask of identity (wired to their ports in src/container.py).
    api = providers.Factory(IdentityApi, uow_factory=uow.provider)
