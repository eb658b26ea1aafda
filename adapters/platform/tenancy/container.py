"""Tenancy's container: its one dependency, provided by the composition root."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.platform.tenancy.ports import MembershipDirectory


class TenancyContainer(containers.DeclarativeContainer):
    """Provided by the composition root, from the organizations context's api."""

    memberships: providers.Dependency[MembershipDirectory] = providers.Dependency()
