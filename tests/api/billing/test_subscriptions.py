"""The plan catalogue and my subscriptions: user-scoped, one active subscription per plan type,
strict input."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from adapters.billing.models import Plan, Subscription
from adapters.billing.repositories import DjangoSubscriptionRepository
from adapters.identity.models import User
from tests.api.billing.conftest import MISSING_ID, answering_500s, snapshot
from tests.api.helpers import TestResponse as Reply
from tests.api.helpers import assert_problem, problem_type
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/plans"
SUBSCRIPTIONS = "/api/v1/me/subscriptions"
PERIOD = {"start_date": "2030-01-01", "end_date": "2030-12-31"}


@pytest.fixture
def ann(user: User) -> APIClient:
    return client_for(user)


@pytest.fixture
def bob(other_user: User) -> APIClient:
    return client_for(other_user)


def subscribe(client: APIClient, plan: Any = "api-pro", **fields: Any) -> Reply:
    response: Reply = client.post(SUBSCRIPTIONS, {"plan": plan, **PERIOD, **fields}, format="json")
    return response


def subscription_id(response: Reply) -> int:
    assert response.status_code == 201, response.content
    created: int = response.json()["id"]
    return created


# --- anonymous ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", PLANS),
        ("get", SUBSCRIPTIONS),
        ("post", SUBSCRIPTIONS),
        ("delete", f"{SUBSCRIPTIONS}/1"),
        ("delete", f"{SUBSCRIPTIONS}/{MISSING_ID}"),
    ],
)
def test_anonymous_gets_401_with_a_challenge(db: None, method: str, path: str) -> None:
    client = APIClient()
    response = getattr(client, method)(path, {"plan": "api-pro", **PERIOD}, format="json")

    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"
    assert not Subscription.objects.exists()


# --- plans -------------------------------------------------------------------------------------


def test_the_catalogue_lists_the_plans_on_offer_by_code(ann: APIClient) -> None:
    Plan.objects.filter(code="support-premium").update(is_active=False)

    body = ann.get(PLANS).json()

    assert body["next"] is None
    assert body["previous"] is None
    assert body["results"][0] == {
        "code": "api-pro",
        "name": "API Pro",
        "plan_type": "api",
        "price_cents": 4900,
        "currency": "EUR",
        "interval": "month",
    }
    assert [(p["code"], p["plan_type"], p["interval"]) for p in body["results"]] == [
        ("api-pro", "api", "month"),
        ("api-pro-yearly", "api", "year"),
        ("api-starter", "api", "month"),
        ("support-standard", "support", "month"),
    ]


def test_the_catalogue_is_paginated(ann: APIClient) -> None:
    first = ann.get(f"{PLANS}?page_size=2").json()
    second = ann.get(first["next"]).json()
    third = ann.get(second["next"]).json()
    back = ann.get(third["previous"]).json()

    codes = [p["code"] for page in (first, second, third) for p in page["results"]]
    assert codes == sorted(Plan.objects.values_list("code", flat=True))
    assert len(codes) == 5
    assert third["next"] is None
    assert back == second


# --- subscribing -------------------------------------------------------------------------------


def test_subscribing_returns_exactly_the_subscription(ann: APIClient, user: User) -> None:
    response = subscribe(ann, "api-pro-yearly")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "plan": "api-pro-yearly",
        "plan_type": "api",
        "start_date": "2030-01-01",
        "end_date": "2030-12-31",
        "status": "active",
    }
    stored = Subscription.objects.get(pk=body["id"])
    assert (stored.user_id, stored.plan.code, stored.status) == (
        user.pk,
        "api-pro-yearly",
        "active",
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [("2030-01-01", "2030-01-01"), ("2030-01-02", "2030-01-01"), ("2031-01-01", "2030-01-01")],
)
def test_the_end_must_come_after_the_start(ann: APIClient, start: str, end: str) -> None:
    response = subscribe(ann, start_date=start, end_date=end)

    assert_problem(response, 400, fields={"end_date"})
    assert not Subscription.objects.exists()


def test_a_one_day_subscription_is_fine(ann: APIClient) -> None:
    assert subscribe(ann, start_date="2030-01-01", end_date="2030-01-02").status_code == 201


@pytest.mark.parametrize("plan", ["no-such-plan", "API-PRO", "", "api_pro", "x" * 51])
def test_an_unknown_plan_is_a_400_naming_plan(ann: APIClient, plan: str) -> None:
    assert_problem(subscribe(ann, plan), 400, fields={"plan"})
    assert not Subscription.objects.exists()


def test_a_plan_no_longer_on_offer_cannot_be_subscribed(ann: APIClient) -> None:
    Plan.objects.filter(code="api-pro").update(is_active=False)

    assert_problem(subscribe(ann, "api-pro"), 400, fields={"plan"})
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"plan", "start_date", "end_date"}),
        ({"plan": "api-pro"}, {"start_date", "end_date"}),
        ({"plan": 1, **PERIOD}, {"plan"}),
        ({"plan": None, **PERIOD}, {"plan"}),
        ({"plan": ["api-pro"], **PERIOD}, {"plan"}),
        ({"plan": {"code": "api-pro"}, **PERIOD}, {"plan"}),
        ({"plan": "api-pro", "start_date": 20300101, "end_date": "2030-12-31"}, {"start_date"}),
        ({"plan": "api-pro", "start_date": "2030-01-01", "end_date": 1924905600}, {"end_date"}),
        ({"plan": "api-pro", "start_date": "2030-02-30", "end_date": "2030-12-31"}, {"start_date"}),
        ({"plan": "api-pro", "start_date": "01/01/2030", "end_date": "2030-12-31"}, {"start_date"}),
        ({"plan": "api-pro", "start_date": None, "end_date": "2030-12-31"}, {"start_date"}),
        (
            {"plan": "api-pro", "start_date": "2030-01-01T00:00:00Z", "end_date": "2030-12-31"},
            {"start_date"},
        ),
        ({"plan": "api-pro", **PERIOD, "status": "cancelled"}, {"status"}),
        ({"plan": "api-pro", **PERIOD, "user": 1}, {"user"}),
        ({"plan": "api-pro", **PERIOD, "user_id": 1}, {"user_id"}),
        ({"plan": "api-pro", **PERIOD, "id": 7}, {"id"}),
        ({"plan": "api-pro", **PERIOD, "plan_type": "support"}, {"plan_type"}),
    ],
)
def test_subscription_input_is_whitelisted_and_typed(
    ann: APIClient, payload: dict[str, Any], fields: set[str]
) -> None:
    response = ann.post(SUBSCRIPTIONS, payload, format="json")

    assert_problem(response, 400, fields=fields)
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("second", ["api-pro", "api-starter", "api-pro-yearly"])
def test_a_second_subscription_of_the_same_plan_type_is_a_conflict(
    ann: APIClient, second: str
) -> None:
    subscription_id(subscribe(ann, "api-pro"))
    before = snapshot()

    body = assert_problem(subscribe(ann, second), 409)

    assert body["type"] == problem_type("subscription-exists")
    assert snapshot() == before


def test_one_subscription_per_type_not_per_user(ann: APIClient, bob: APIClient) -> None:
    subscription_id(subscribe(ann, "api-pro"))

    assert subscribe(ann, "support-premium").status_code == 201
    assert subscribe(bob, "api-pro").status_code == 201  # another user is independent
    assert Subscription.objects.filter(status="active").count() == 3


def test_cancelling_frees_the_plan_type(ann: APIClient) -> None:
    first = subscription_id(subscribe(ann, "api-pro"))

    response = ann.delete(f"{SUBSCRIPTIONS}/{first}")

    assert response.status_code == 204
    assert response.content == b""
    assert Subscription.objects.get(pk=first).status == "cancelled"
    second = subscription_id(subscribe(ann, "api-starter"))
    assert_problem(subscribe(ann, "api-pro"), 409)  # the new one counts again
    assert Subscription.objects.get(pk=second).status == "active"


def test_cancelling_twice_is_204_both_times_and_changes_nothing_more(ann: APIClient) -> None:
    subscribed = subscription_id(subscribe(ann))
    assert ann.delete(f"{SUBSCRIPTIONS}/{subscribed}").status_code == 204
    cancelled_at = Subscription.objects.get(pk=subscribed).cancelled_at
    assert cancelled_at is not None

    assert ann.delete(f"{SUBSCRIPTIONS}/{subscribed}").status_code == 204

    assert Subscription.objects.get(pk=subscribed).cancelled_at == cancelled_at


def test_cancelling_an_old_subscription_leaves_the_new_one_alone(ann: APIClient) -> None:
    old = subscription_id(subscribe(ann, "api-pro"))
    ann.delete(f"{SUBSCRIPTIONS}/{old}")
    new = subscription_id(subscribe(ann, "api-pro"))

    assert ann.delete(f"{SUBSCRIPTIONS}/{old}").status_code == 204

    assert Subscription.objects.get(pk=new).status == "active"


def test_my_subscriptions_newest_first_with_statuses_and_only_mine(
    ann: APIClient, bob: APIClient
) -> None:
    first = subscription_id(subscribe(ann, "api-pro"))
    ann.delete(f"{SUBSCRIPTIONS}/{first}")
    second = subscription_id(subscribe(ann, "api-pro-yearly"))
    third = subscription_id(subscribe(ann, "support-standard"))
    subscription_id(subscribe(bob, "api-starter"))

    body = ann.get(SUBSCRIPTIONS).json()

    assert [(s["id"], s["plan"], s["status"]) for s in body["results"]] == [
        (third, "support-standard", "active"),
        (second, "api-pro-yearly", "active"),
        (first, "api-pro", "cancelled"),
    ]
    assert set(body["results"][0]) == {
        "id",
        "plan",
        "plan_type",
        "start_date",
        "end_date",
        "status",
    }
    assert (body["next"], body["previous"]) == (None, None)


def test_my_subscriptions_are_paginated(ann: APIClient) -> None:
    created = []
    for plan in ("api-pro", "api-starter", "api-pro-yearly"):
        created.append(subscription_id(subscribe(ann, plan)))
        ann.delete(f"{SUBSCRIPTIONS}/{created[-1]}")

    first = ann.get(f"{SUBSCRIPTIONS}?page_size=2").json()
    second = ann.get(first["next"]).json()
    back = ann.get(second["previous"]).json()

    assert [s["id"] for s in first["results"] + second["results"]] == created[::-1]
    assert (first["previous"], second["next"]) == (None, None)
    assert back == first


# --- someone else's subscription ---------------------------------------------------------------


def test_another_users_subscription_is_indistinguishable_from_a_missing_one(
    ann: APIClient, bob: APIClient
) -> None:
    bobs = subscription_id(subscribe(bob))
    before = snapshot()

    foreign = ann.delete(f"{SUBSCRIPTIONS}/{bobs}")
    missing = ann.delete(f"{SUBSCRIPTIONS}/{MISSING_ID}")

    assert_problem(foreign, 404)
    assert foreign.content == missing.content
    assert foreign["Content-Type"] == missing["Content-Type"]
    assert snapshot() == before
    assert Subscription.objects.get(pk=bobs).status == "active"
    assert bobs not in [s["id"] for s in ann.get(SUBSCRIPTIONS).json()["results"]]


@pytest.mark.parametrize(
    "subscription", ["999999999999999999", "99999999999999999999999999", "0", "-1", "abc"]
)
def test_huge_and_odd_subscription_ids_are_plain_404s(ann: APIClient, subscription: str) -> None:
    assert_problem(ann.delete(f"{SUBSCRIPTIONS}/{subscription}"), 404)


def test_a_subscription_cannot_be_read_or_changed_by_id(ann: APIClient) -> None:
    subscribed = subscription_id(subscribe(ann))

    for method in ("get", "patch", "put", "post"):
        response = getattr(ann, method)(f"{SUBSCRIPTIONS}/{subscribed}", {}, format="json")
        assert_problem(response, 405)
    assert Subscription.objects.get(pk=subscribed).status == "active"


def test_losing_a_subscription_race_is_a_409_not_a_500(
    ann: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two requests both see "no active subscription of this type"; the database's partial unique
    # index stops the second insert. Simulated by letting the pre-check miss the first one.
    subscription_id(subscribe(ann, "api-pro"))
    monkeypatch.setattr(DjangoSubscriptionRepository, "has_active", lambda *args: False)
    before = snapshot()

    body = assert_problem(subscribe(answering_500s(ann), "api-starter"), 409)

    assert body["type"] == problem_type("subscription-exists")
    assert snapshot() == before
