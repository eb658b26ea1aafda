"""Sending an email from templates, through Django's email framework (EMAIL_BACKEND, from
EMAIL_URL), for every context's outbox handlers.

An email is rendered from ``<template>_subject.txt`` and ``<template>.txt`` (plain text), plus
``<template>.html`` as an HTML alternative when the context has one. Links go to the frontend
(``FRONTEND_URL``) and carry a one-time token as their ``token`` query parameter; the token
appears in the email only, never in a log line.

Sent by an outbox handler, an email's Message-ID is derived from (message, handler, recipient):
a redelivery after a crash between the SMTP server's "accepted" and the inbox's commit sends
the same Message-ID again, which mail systems (and Mailpit, MP_IGNORE_DUPLICATE_IDS) drop.
That is the only duplicate the outbox can cause, and this makes it harmless.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.timesince import timeuntil

from adapters.platform.outbox.delivery import current_delivery


def frontend_link(path: str, token: str) -> str:
    """``{FRONTEND_URL}{path}?token=...``."""
    return f"{str(settings.FRONTEND_URL).rstrip('/')}{path}?{urlencode({'token': token})}"


def valid_for(seconds: int) -> str:
    """A lifetime in words ("3 days"), for "the link works for ..."."""
    now = timezone.now()
    return timeuntil(now + timedelta(seconds=seconds), now)


def send_email(*, template: str, context: Mapping[str, Any], to: str) -> None:
    """Render ``template`` with ``context`` (plus ``site_name``) and send it to one address."""
    context = {"site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"{template}_subject.txt", context)
    body = render_to_string(f"{template}.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),  # one line: a header
        body=body.strip() + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={"Message-ID": _message_id(to)},
    )
    with contextlib.suppress(TemplateDoesNotExist):  # without one: plain text only
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send(fail_silently=False)


def _message_id(recipient: str) -> str:
    domain = str(settings.DEFAULT_FROM_EMAIL).rpartition("@")[2].strip(" >") or None
    delivery = current_delivery()
    if delivery is None:
        return make_msgid(domain=domain)
    message_id, handler = delivery
    # The recipient as a digest: the header must not repeat the address to other readers.
    recipient_digest = hashlib.sha256(recipient.casefold().encode()).hexdigest()[:16]
    return f"<{message_id}.{handler}.{recipient_digest}@{domain or 'localhost'}>"
