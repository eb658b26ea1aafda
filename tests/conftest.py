"""Fixtures shared by the integration, API and architecture tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dependency_injector import providers
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from adapters.identity.models import User
from adapters.identity.repositories import forget_request_users
from src import container as composition
from tests.factories import DEFAULT_PASSWORD, make_user


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Throttle counters live in the cache: every test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_request_users() -> Iterator[None]:
    """Tests that authenticate outside a request (no request_started / request_finished
    signal) must not leave the request-scoped identity map to the next test."""
    forget_request_users()
    yield
    forget_request_users()


def unwire(application: composition.ApplicationContainer) -> None:
    """Detach the views from ``application``: each context container is wired on its own
    (``build_container``), so the application container itself has nothing to unwire."""
    for provider in application.providers.values():
        if isinstance(provider, providers.Container):
            provider.container.unwire()


@pytest.fixture
def container() -> Iterator[composition.ApplicationContainer]:
    """The application's DI container; overrides made in a test end with it."""
    application = composition.application
    yield application
    application.reset_singletons()
    unwire(application)
    composition.application = composition.build_container()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db: None) -> User:
    return make_user(email="ann@example.com", profile__name="Ann", profile__bio="Hello")


@pytest.fixture
def other_user(db: None) -> User:
    return make_user(email="bob@example.com", profile__name="Bob")


def login(client: APIClient, email: str, password: str = DEFAULT_PASSWORD) -> str:
    response = client.post(
        "/api/v1/auth/login", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


@pytest.fixture
def user_client(user: User) -> APIClient:
    """A client authenticated as ``user`` with a real token from the login endpoint."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {login(client, user.email)}")
    return client


def client_for(user: User) -> APIClient:
    """A client sending a real, freshly issued token of ``user`` (no login round trip)."""
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` need PostgreSQL: on SQLite they are skipped, visibly."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://...")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
