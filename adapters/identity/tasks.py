"""Identity's periodic job, for ``celery beat`` (``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from adapters.identity.security import purge_expired_tokens as purge

PURGE_EXPIRED_TOKENS = "identity.purge_expired_tokens"


@shared_task(name=PURGE_EXPIRED_TOKENS, ignore_result=True)
def purge_expired_tokens() -> int:
    return purge()
