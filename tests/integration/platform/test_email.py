"""``adapters.platform.email``: templated emails, and the Message-ID that makes a redelivered
copy recognisable."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.test import override_settings

from adapters.platform import email
from adapters.platform.outbox import delivery


@pytest.fixture(autouse=True)
def _empty_outbox() -> None:
    mail.outbox.clear()


def send(to: str = "ann@example.com") -> mail.EmailMessage:
    email.send_email(
        template="organizations/email/invitation",
        context={
            "organization": "Acme",
            "inviter": "Olive",
            "email": to,
            "role": "admin",
            "link": email.frontend_link("/accept-invitation", "t0ken"),
            "expires_at": "2026-12-09 12:00 UTC",
        },
        to=to,
    )
    return mail.outbox[-1]


def test_an_email_is_rendered_on_one_subject_line_from_the_configured_sender() -> None:
    with override_settings(DEFAULT_FROM_EMAIL="Acme <no-reply@acme.example>", SITE_NAME="Hub"):
        message = send()

    assert message.subject == "You are invited to join Acme on Hub"
    assert "\n" not in message.subject
    assert message.from_email == "Acme <no-reply@acme.example>"
    assert message.to == ["ann@example.com"]
    assert "Olive invites ann@example.com to join Acme on Hub as admin." in str(message.body)
    assert "/accept-invitation?token=t0ken" in str(message.body)
    assert message.extra_headers["Message-ID"].endswith("@acme.example>")


def test_outside_a_delivery_every_email_gets_a_new_message_id() -> None:
    assert send().extra_headers["Message-ID"] != send().extra_headers["Message-ID"]


def test_in_a_delivery_the_message_id_follows_the_event_the_handler_and_the_recipient() -> None:
    event = uuid.uuid4()
    with delivery._delivering(event, "organizations.send_invitation_email"):
        first, again, other = send(), send(), send("bob@example.com")
    with delivery._delivering(event, "identity.send_verification_email"):
        other_handler = send()
    with delivery._delivering(uuid.uuid4(), "organizations.send_invitation_email"):
        other_event = send()

    ids = [m.extra_headers["Message-ID"] for m in (first, again, other, other_handler, other_event)]
    assert ids[0] == ids[1]
    assert len(set(ids)) == 4
    assert str(event) in ids[0]
    assert "ann@example.com" not in ids[0]
    assert delivery.current_delivery() is None
