"""The invoice emails: issuing tells the organization's owners and admins, paying sends the
payer a receipt. They go out after the commit, from the outbox (``deliver``), and only then."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from tests.api.billing.conftest import World, fund, issue, make_invoice, pay
from tests.api.helpers import Deliver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_mail_yet() -> None:
    mail.outbox.clear()


def test_an_issued_invoice_is_emailed_to_each_owner_and_admin_alone(
    world: World, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    with deliver():
        response = issue(clients["staff"], world.acme.pk, amount_cents=12_900, description="March")
        assert response.status_code == 201
        assert mail.outbox == []  # not before the commit

    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.owner.email, world.admin.email])
    for message in mail.outbox:
        assert len(message.to) == 1
        assert not message.cc
        assert not message.bcc
        assert message.subject == "Acme: invoice 1, 129.00 EUR, due " + response.json()["due_date"]
        body = str(message.body)
        assert "invoice 1 to Acme" in body
        assert "129.00 EUR" in body
        assert "March" in body
    assert world.member.email not in {m.to[0] for m in mail.outbox}


def test_a_refused_issue_sends_nothing(
    world: World, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    with deliver():
        response = issue(clients["staff"], world.acme.pk, amount_cents=-1)
    assert response.status_code == 400
    assert mail.outbox == []


def test_paying_sends_the_payer_a_receipt(
    world: World, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    fund(world.acme, 5_000, actor=world.owner)
    invoice = make_invoice(world.acme, amount_cents=1_999)

    with deliver():
        assert pay(clients["admin"], world.acme.pk, invoice.pk, "key-1").status_code == 200
    with deliver():  # a replay of the same request sends no second receipt
        assert pay(clients["admin"], world.acme.pk, invoice.pk, "key-1").status_code == 200
    with deliver():  # nor does a refused second payment
        assert pay(clients["admin"], world.acme.pk, invoice.pk, "key-2").status_code == 409

    [receipt] = mail.outbox
    assert receipt.to == [world.admin.email]
    assert receipt.subject == f"Acme: receipt for invoice {invoice.number}, 19.99 EUR"
    assert "Keep this email as your receipt." in str(receipt.body)
