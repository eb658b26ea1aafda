"""Organizations' dependency-injection container."""

from datetime import timedelta

from dependency_injector import containers, providers
from django.conf import settings

from adapters.organizations.email import DjangoInvitationEmails
from adapters.organizations.repositories import DjangoOrganizationsUnitOfWork
from adapters.organizations.tokens import SignedInvitationTokens
from adapters.platform.clock import DjangoClock
from contexts.organizations.api import OrganizationsApi
from contexts.organizations.application.handlers import SendInvitationEmail
from contexts.organizations.application.ports import EventPublisher, UserDirectory
from contexts.organizations.application.services import (
    InvitationExpiryService,
    InvitationService,
    MembershipService,
    OrganizationService,
)


class OrganizationsContainer(containers.DeclarativeContainer):
    # Ports provided by the composition root: identity's api, and the event bus.
    users: providers.Dependency[UserDirectory] = providers.Dependency()
    events: providers.Dependency[EventPublisher] = providers.Dependency()

    uow = providers.Factory(DjangoOrganizationsUnitOfWork)
    clock = providers.Factory(DjangoClock)
    invitation_tokens = providers.Factory(SignedInvitationTokens)
    invitation_emails = providers.Factory(DjangoInvitationEmails)
    # Read when a service is made, so that a settings override applies.
    invitation_lifetime = providers.Callable(
        lambda: timedelta(seconds=int(settings.INVITATION_TIMEOUT))
    )

    organization_service = providers.Factory(OrganizationService, uow=uow, events=events)
    membership_service = providers.Factory(MembershipService, uow=uow, users=users)
    invitation_service = providers.Factory(
        InvitationService,
        uow=uow,
        users=users,
        tokens=invitation_tokens,
        clock=clock,
        lifetime=invitation_lifetime,
    )
    # Beat's job (tasks.py): needs no other context, so it is made from the class itself.
    invitation_expiry_service = providers.Factory(InvitationExpiryService, uow=uow, clock=clock)
    # Outbox handlers (OrganizationsConfig.outbox_handlers): the invitation email.
    send_invitation_email = providers.Factory(
        SendInvitationEmail,
        uow=uow,
        users=users,
        tokens=invitation_tokens,
        emails=invitation_emails,
        clock=clock,
    )
    # What other contexts may ask of organizations (wired to their ports by the composition root).
    api = providers.Factory(
        OrganizationsApi,
        memberships=membership_service.provider,
        organizations=organization_service.provider,
    )
