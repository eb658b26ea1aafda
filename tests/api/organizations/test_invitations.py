"""Invitations over HTTP: invite, list, revoke, and accept with the emailed token.

The invitation email goes out from the outbox's handler after the commit (``deliver``);
Django's locmem backend keeps it in ``mail.outbox``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from rest_framework.test import APIClient

from adapters.identity.models import User
from adapters.organizations.models import Invitation, Membership
from tests.api.helpers import Deliver, assert_problem, problem_type, token_in
from tests.api.organizations.conftest import Tenancy
from tests.conftest import client_for
from tests.factories import make_user

ACCEPT = "/api/v1/invitations/accept"
INVALID_TOKEN = problem_type("invalid-token")
INVITATION_FIELDS = {"id", "email", "role", "status", "expires_at", "created_at"}


def invitations_url(tenancy: Tenancy) -> str:
    return f"/api/v1/orgs/{tenancy.acme.pk}/invitations"


def invite(
    client: APIClient, tenancy: Tenancy, deliver: Deliver, email: str, role: str = "member"
) -> tuple[dict[str, Any], str]:
    """Invite ``email``; the response body and the token of the email it caused."""
    mail.outbox.clear()
    with deliver():
        response = client.post(
            invitations_url(tenancy), {"email": email, "role": role}, format="json"
        )
    assert response.status_code == 201, response.content
    [message] = mail.outbox
    return response.json(), token_in(message, "/accept-invitation")


def test_an_invitation_is_answered_and_emailed_alike_whether_or_not_the_email_has_an_account(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    answers = []
    for email in (tenancy.stranger.email, "nobody-yet@example.com"):
        mail.outbox.clear()
        with deliver():
            response = clients["admin"].post(
                invitations_url(tenancy), {"email": email, "role": "member"}, format="json"
            )
        body = response.json()
        assert response.status_code == 201
        assert set(body) == INVITATION_FIELDS
        assert (body["email"], body["role"], body["status"]) == (email, "member", "pending")
        [message] = mail.outbox
        assert message.to == [email]
        answers.append((response.status_code, sorted(response.headers), set(body)))
    assert answers[0] == answers[1]


def test_the_email_names_the_organization_and_the_inviter_and_holds_one_link(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    body, token = invite(clients["admin"], tenancy, deliver, "ann@example.com", role="admin")

    [message] = mail.outbox
    assert "Acme" in message.subject
    assert "Acme" in str(message.body)
    assert tenancy.admin.profile.name in str(message.body)
    assert " admin" in str(message.body)
    assert token not in str(body)
    assert message.extra_headers["Message-ID"].startswith("<")


def test_the_expiry_comes_from_the_settings(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    with override_settings(INVITATION_TIMEOUT=3600):
        before = timezone.now()
        response = clients["owner"].post(
            invitations_url(tenancy), {"email": "ann@example.com", "role": "member"}, format="json"
        )
    expires_at = Invitation.objects.get(pk=response.json()["id"]).expires_at
    assert before + timedelta(seconds=3600) <= expires_at <= timezone.now() + timedelta(hours=1)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"email": "new@example.com"}, {"role"}),
        ({"role": "member"}, {"email"}),
        ({"email": "new@example.com", "role": "superuser"}, {"role"}),
        ({"email": "new@example.com", "role": 1}, {"role"}),
        ({"email": "not-an-email", "role": "member"}, {"email"}),
        ({"email": ["new@example.com"], "role": "member"}, {"email"}),
        ({"email": "new@example.com", "role": "member", "user_id": 3}, {"user_id"}),
    ],
)
def test_invitation_input_is_validated(
    tenancy: Tenancy, clients: dict[str, APIClient], payload: dict[str, Any], fields: set[str]
) -> None:
    before = Invitation.objects.count()

    response = clients["owner"].post(invitations_url(tenancy), payload, format="json")

    assert_problem(response, 400, fields=fields)
    assert Invitation.objects.count() == before


def test_a_members_email_is_a_conflict_in_any_case(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    mail.outbox.clear()
    with deliver():
        response = clients["owner"].post(
            invitations_url(tenancy),
            {"email": tenancy.member.email.upper(), "role": "admin"},
            format="json",
        )

    assert assert_problem(response, 409)["type"] == problem_type("already-member")
    assert not Invitation.objects.filter(email=tenancy.member.email).exists()
    assert mail.outbox == []


def test_only_an_owner_invites_an_owner(tenancy: Tenancy, clients: dict[str, APIClient]) -> None:
    payload = {"email": "boss@example.com", "role": "owner"}
    assert_problem(clients["admin"].post(invitations_url(tenancy), payload, format="json"), 403)
    assert (
        clients["owner"].post(invitations_url(tenancy), payload, format="json").status_code == 201
    )


def test_a_second_invitation_replaces_the_first_and_its_token_dies(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    first, first_token = invite(clients["admin"], tenancy, deliver, tenancy.stranger.email)
    second, second_token = invite(
        clients["admin"], tenancy, deliver, tenancy.stranger.email.upper(), role="admin"
    )

    listed = clients["admin"].get(invitations_url(tenancy)).json()["results"]
    assert [i["id"] for i in listed if i["email"] == tenancy.stranger.email] == [second["id"]]
    assert Invitation.objects.get(pk=first["id"]).status == "revoked"
    invitee = client_for(tenancy.stranger)
    response = invitee.post(ACCEPT, {"token": first_token}, format="json")
    assert assert_problem(response, 400)["type"] == INVALID_TOKEN
    joined = invitee.post(ACCEPT, {"token": second_token}, format="json")
    assert joined.json() == {"organization_id": tenancy.acme.pk, "role": "admin"}


def test_the_list_shows_pending_invitations_newest_first_to_admins(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    for email in ("a@example.com", "b@example.com"):
        clients["admin"].post(
            invitations_url(tenancy), {"email": email, "role": "member"}, format="json"
        )
    Invitation.objects.filter(email="a@example.com").update(expires_at=timezone.now())

    response = clients["admin"].get(invitations_url(tenancy))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [i["email"] for i in results] == ["b@example.com", tenancy.invitation.email]
    assert all(set(i) == INVITATION_FIELDS for i in results)
    assert_problem(clients["member"].get(invitations_url(tenancy)), 403)


def test_revoking_kills_the_token_and_is_a_404_the_second_time(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    body, token = invite(clients["admin"], tenancy, deliver, tenancy.stranger.email)
    url = f"{invitations_url(tenancy)}/{body['id']}"

    assert clients["admin"].delete(url).status_code == 204
    assert_problem(clients["admin"].delete(url), 404)
    response = client_for(tenancy.stranger).post(ACCEPT, {"token": token}, format="json")
    assert assert_problem(response, 400)["type"] == INVALID_TOKEN


def test_another_organizations_invitation_cannot_be_revoked(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    foreign = Invitation.objects.create(
        organization=tenancy.globex,
        email="x@example.com",
        role="member",
        expires_at=timezone.now() + timedelta(days=1),
    )
    response = clients["owner"].delete(f"{invitations_url(tenancy)}/{foreign.pk}")
    missing = clients["owner"].delete(f"{invitations_url(tenancy)}/987654")

    assert_problem(response, 404)
    assert response.content == missing.content
    assert Invitation.objects.get(pk=foreign.pk).status == "pending"


def test_invite_register_verify_accept_end_to_end(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    _, token = invite(clients["admin"], tenancy, deliver, "Newcomer@Example.com", role="admin")
    newcomer = make_user(email="newcomer@example.com")
    assert not newcomer.email_verified

    response = client_for(newcomer).post(ACCEPT, {"token": token}, format="json")

    assert response.status_code == 200
    assert response.json() == {"organization_id": tenancy.acme.pk, "role": "admin"}
    assert Membership.objects.get(organization=tenancy.acme, user=newcomer).role == "admin"
    assert User.objects.get(pk=newcomer.pk).email_verified
    # Used: the invitee learns it is closed.
    again = client_for(newcomer).post(ACCEPT, {"token": token}, format="json")
    assert assert_problem(again, 400)["type"] == INVALID_TOKEN
    assert client_for(newcomer).get(f"/api/v1/orgs/{tenancy.acme.pk}").json()["role"] == "admin"


def test_anyone_but_the_invitee_gets_the_404_of_a_token_that_does_not_exist(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    _, token = invite(clients["admin"], tenancy, deliver, tenancy.stranger.email)
    garbage = clients["owner"].post(ACCEPT, {"token": "not-a-token"}, format="json")
    assert_problem(garbage, 404)

    for who in ("owner", "admin", "member", "non_member"):
        response = clients[who].post(ACCEPT, {"token": token}, format="json")
        assert_problem(response, 404)
        assert response.content == garbage.content
    client_for(tenancy.stranger).post(ACCEPT, {"token": token}, format="json")
    # Used now: still the same 404 to others, never the "used" answer.
    assert clients["member"].post(ACCEPT, {"token": token}, format="json").content == (
        garbage.content
    )
    assert Membership.objects.filter(organization=tenancy.acme).count() == 4


def test_a_tampered_token_is_a_404(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    _, token = invite(clients["admin"], tenancy, deliver, tenancy.stranger.email)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client_for(tenancy.stranger).post(ACCEPT, {"token": tampered}, format="json")

    assert_problem(response, 404)


def test_an_expired_invitation_is_invalid_even_before_the_expiry_job(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    body, token = invite(clients["admin"], tenancy, deliver, tenancy.stranger.email)
    Invitation.objects.filter(pk=body["id"]).update(expires_at=timezone.now())

    response = client_for(tenancy.stranger).post(ACCEPT, {"token": token}, format="json")

    assert assert_problem(response, 400)["type"] == INVALID_TOKEN
    assert not Membership.objects.filter(user=tenancy.stranger).exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"token"}),
        ({"token": 12}, {"token"}),
        ({"token": "x" * 201}, {"token"}),
        ({"token": "x", "organization_id": 1}, {"organization_id"}),
    ],
)
def test_accept_input_is_validated(
    tenancy: Tenancy, payload: dict[str, Any], fields: set[str]
) -> None:
    response = client_for(tenancy.stranger).post(ACCEPT, payload, format="json")

    body = assert_problem(response, 400, fields=fields)
    assert "x" * 20 not in str(body)


def test_accepting_needs_an_account(tenancy: Tenancy) -> None:
    response = APIClient().post(ACCEPT, {"token": "anything"}, format="json")
    assert_problem(response, 401)


def test_members_can_no_longer_be_added_by_email(
    tenancy: Tenancy, clients: dict[str, APIClient]
) -> None:
    response = clients["owner"].post(
        f"/api/v1/orgs/{tenancy.acme.pk}/members",
        {"email": tenancy.outsider.email, "role": "member"},
        format="json",
    )

    assert_problem(response, 405)
    assert not Membership.objects.filter(organization=tenancy.acme, user=tenancy.outsider).exists()


def test_the_last_owner_rules_hold_for_members_who_joined_by_invitation(
    tenancy: Tenancy, clients: dict[str, APIClient], deliver: Deliver
) -> None:
    _, token = invite(clients["owner"], tenancy, deliver, tenancy.stranger.email, role="owner")
    client_for(tenancy.stranger).post(ACCEPT, {"token": token}, format="json")
    members = f"/api/v1/orgs/{tenancy.acme.pk}/members"

    assert clients["owner"].delete(f"{members}/{tenancy.owner.pk}").status_code == 204
    last = client_for(tenancy.stranger).delete(f"{members}/{tenancy.stranger.pk}")
    assert assert_problem(last, 409)["type"] == problem_type("last-owner")


def test_the_invitation_list_queries_do_not_grow_with_the_page(
    tenancy: Tenancy,
    clients: dict[str, APIClient],
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for size in (1, 50):
        Invitation.objects.all().delete()
        Invitation.objects.bulk_create(
            Invitation(
                organization=tenancy.acme,
                email=f"i{n}@example.com",
                role="member",
                expires_at=timezone.now() + timedelta(days=1),
            )
            for n in range(size)
        )
        # The token (with its user), the tenancy check, the page.
        with django_assert_num_queries(3):
            response = clients["admin"].get(invitations_url(tenancy) + "?page_size=100")
        assert len(response.json()["results"]) == size
