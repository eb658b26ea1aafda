"""The user token authentication hands the request is the real user: every field as the ORM
loads it, safe to save (it used to be a partial instance whose save() overwrote the row)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db.models import Model
from knox.models import AuthToken
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from adapters.identity.authentication import TokenAuthentication
from adapters.identity.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def field_values(user: Model) -> dict[str, object]:
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


def authenticated_user(token: str) -> User:
    request = Request(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token}"))
    result = TokenAuthentication().authenticate(request)
    assert result is not None
    user = result[0]
    assert isinstance(user, User)
    return user


def test_the_authenticated_user_is_the_whole_row_with_the_orms_types() -> None:
    stored = make_user(email="root@example.com", is_staff=True)
    User.objects.filter(pk=stored.pk).update(is_superuser=True)
    _, token = AuthToken.objects.create(user=stored, expiry=None)
    expected = field_values(User.objects.get(pk=stored.pk))

    user = authenticated_user(token)

    assert field_values(user) == expected
    assert user.is_superuser is True
    assert isinstance(user.date_joined, datetime)
    assert user.date_joined.tzinfo is not None
    assert not user._state.adding


def test_saving_the_authenticated_user_changes_nothing_it_did_not_touch() -> None:
    stored = make_user(email="saver@example.com")
    _, token = AuthToken.objects.create(user=stored, expiry=None)
    before = field_values(User.objects.get(pk=stored.pk))

    authenticated_user(token).save()

    assert field_values(User.objects.get(pk=stored.pk)) == before
