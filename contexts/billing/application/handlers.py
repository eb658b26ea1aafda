"""How billing reacts to other contexts' events (subscribed in ``adapters/billing/apps.py``)."""

from __future__ import annotations

from contexts.billing.application.services import AccountService
from kernel.events import Payload
from kernel.tenancy import OrganizationId


class OpenAccount:
    """``organizations.organization_created`` → the new organization's prepaid account."""

    def __init__(self, *, accounts: AccountService) -> None:
        self._accounts = accounts

    def __call__(self, payload: Payload) -> None:
        self._accounts.open(organization_id=OrganizationId(int(payload["organization_id"])))
