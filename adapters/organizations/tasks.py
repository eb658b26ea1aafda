"""Organizations' periodic job, for ``celery beat`` (``src/celery.py``). Imported by the worker's
task autodiscovery only: nothing on a request's path imports Celery."""

from __future__ import annotations

from celery import shared_task

from adapters.organizations.container import OrganizationsContainer

EXPIRE_INVITATIONS = "organizations.expire_invitations"


@shared_task(name=EXPIRE_INVITATIONS, ignore_result=True)
def expire_invitations() -> int:
    """Mark pending invitations whose time is up as expired; how many."""
    return OrganizationsContainer.invitation_expiry_service().expire_due()
