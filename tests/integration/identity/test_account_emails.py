"""The account emails through the whole outbox path (a real commit, the relay, the inbox,
the handler, Django's email framework), and the one-time tokens on the database."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from rest_framework.test import APIClient

from adapters.identity.models import User
from adapters.identity.security import DjangoAccountTokens
from adapters.platform.outbox import delivery
from adapters.platform.outbox.models import OutboxMessage, ProcessedEvent, Status
from contexts.identity.domain.errors import InvalidToken
from contexts.identity.domain.model import TokenPurpose
from kernel.actors import UserId
from tests.factories import DEFAULT_PASSWORD, make_user

# Real commits (transaction=True); serialized_rollback, so that the flush after each leaves
# the tables as the serialized-rollback tests that follow expect them (no re-created content
# types).


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_registration_sends_the_verification_email_through_the_outbox() -> None:
    response = APIClient().post(
        "/api/v1/auth/register",
        {"email": "nina@example.com", "password": DEFAULT_PASSWORD, "name": "Nina"},
        format="json",
    )

    assert response.status_code == 201
    user = User.objects.get(email="nina@example.com")
    [message] = OutboxMessage.objects.all()
    assert message.name == "identity.user_registered"
    assert message.payload == {"user_id": user.pk}  # the id only: no address, no token
    assert message.status == Status.DONE
    assert ProcessedEvent.objects.filter(
        event_id=message.id, handler="identity.send_verification_email"
    ).exists()
    [email] = mail.outbox
    assert email.to == ["nina@example.com"]
    assert "https://app.example.com/verify-email?token=" in str(email.body)

    # A redelivery (at least once) has no second effect: the inbox remembers the handler ran.
    delivery.deliver(message.id)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_request_sends_nothing() -> None:
    user = make_user(email="ann@example.com")
    with transaction.atomic():
        APIClient().post("/api/v1/auth/password-reset", {"email": user.email}, format="json")
        transaction.set_rollback(True)

    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_tokens_are_bound_to_the_account_state() -> None:
    user = make_user(email="ann@example.com")
    tokens = DjangoAccountTokens()
    reset = tokens.issue(user_id=UserId(user.pk), purpose=TokenPurpose.PASSWORD_RESET)
    verify = tokens.issue(user_id=UserId(user.pk), purpose=TokenPurpose.EMAIL_VERIFICATION)
    # <user id, urlsafe base64>.<timestamp>-<HMAC>: no secret of the account in it.
    assert reset.count(".") == 1
    assert user.password not in reset

    with transaction.atomic():
        assert tokens.check(token=reset, purpose=TokenPurpose.PASSWORD_RESET) == user.pk
        assert tokens.check(token=verify, purpose=TokenPurpose.EMAIL_VERIFICATION) == user.pk
        with pytest.raises(InvalidToken):
            tokens.check(token=reset, purpose=TokenPurpose.EMAIL_VERIFICATION)

    user.set_password("another passphrase entirely")
    user.save()
    User.objects.filter(pk=user.pk).update(email_verified=True)
    with transaction.atomic():
        for token, purpose in (
            (reset, TokenPurpose.PASSWORD_RESET),
            (verify, TokenPurpose.EMAIL_VERIFICATION),
        ):
            with pytest.raises(InvalidToken):
                tokens.check(token=token, purpose=purpose)


@pytest.mark.django_db
def test_a_changed_email_kills_both_tokens() -> None:
    user = make_user(email="ann@example.com")
    tokens = DjangoAccountTokens()
    issued = [
        (tokens.issue(user_id=UserId(user.pk), purpose=purpose), purpose)
        for purpose in TokenPurpose
    ]
    User.objects.filter(pk=user.pk).update(email="ann.new@example.com")

    with transaction.atomic():
        for token, purpose in issued:
            with pytest.raises(InvalidToken):
                tokens.check(token=token, purpose=purpose)
