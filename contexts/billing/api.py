"""Billing's public face for other contexts: plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Callable

from contexts.billing.application.services import AccountService


class BillingApi:
    def __init__(self, *, accounts: Callable[[], AccountService]) -> None:
        self._accounts = accounts

    def open_account(self, organization_id: int) -> None:
        """Open the prepaid account of a new organization (idempotent)."""
        self._accounts().open_account(organization_id=organization_id)

    def balance_cents(self, organization_id: int) -> int:
        return self._accounts().get_account(organization_id=organization_id).balance_cents
