"""Billing's public face for other contexts: plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Callable

from contexts.billing.application.services import AccountService
from kernel.tenancy import OrganizationId


class BillingApi:
    def __init__(self, *, accounts: Callable[[], AccountService]) -> None:
        self._accounts = accounts

    def open_account(self, *, organization_id: OrganizationId) -> None:
        """Open the prepaid account of a new organization (idempotent)."""
        self._accounts().open(organization_id=organization_id)
