"""Identity's HTTP API: register, log in and out, read and change one's own profile, change
or reset one's password and verify one's email address.

Views are thin: validate input with the nested InputSerializer, call one service method, map
the result with the mapper compiled from the nested OutputSerializer.
"""

from __future__ import annotations

from typing import Any, cast

from dependency_injector.wiring import Provide, inject
from django.conf import settings
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.utils.module_loading import import_string
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from adapters.identity.authentication import current_token_id
from adapters.identity.container import IdentityContainer
from adapters.platform.rest.actors import request_actor
from adapters.platform.rest.mapping import compile_mapper
from adapters.platform.rest.openapi import problem_responses
from adapters.platform.rest.permissions import public
from adapters.platform.rest.serializers import (
    StrictCharField,
    StrictEmailField,
    StrictInputSerializer,
    reject_body,
    token_field,
)
from adapters.platform.rest.throttling import (
    ScopedFieldThrottle,
    ScopedThrottle,
    ScopedUserThrottle,
)
from contexts.identity.application.services import AccountService, TokenService, UserService
from contexts.identity.domain.model import BIO_MAX_LENGTH, EMAIL_MAX_LENGTH, NAME_MAX_LENGTH

PASSWORD_MAX_LENGTH = 128  # bounds the hashing work an attacker can ask for


def _minimum_password_length() -> int:
    """The shortest password AUTH_PASSWORD_VALIDATORS accept, so that the schema states it.
    Read from the settings: instantiating the validators would load the common-password list
    at import time."""
    # django-stubs types the setting as list[object]; each entry is a dict (NAME, OPTIONS).
    validators = cast(list[dict[str, Any]], settings.AUTH_PASSWORD_VALIDATORS)
    lengths = [
        int(entry.get("OPTIONS", {}).get("min_length", MinimumLengthValidator().min_length))
        for entry in validators
        if import_string(entry["NAME"]) is MinimumLengthValidator
    ]
    return max(lengths, default=1)


PASSWORD_MIN_LENGTH = _minimum_password_length()


def new_password_field() -> StrictCharField:
    """A password being chosen: the schema states the validators' minimum length."""
    return StrictCharField(
        min_length=PASSWORD_MIN_LENGTH,
        max_length=PASSWORD_MAX_LENGTH,
        trim_whitespace=False,
        write_only=True,
        error_messages={
            "min_length": "This password is too short. It must contain at least "
            "{min_length} characters."
        },
    )


class UserOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField(source="profile.name")


class MeOutput(UserOutput):
    bio = serializers.CharField(source="profile.bio")
    email_verified = serializers.BooleanField()


map_user = compile_mapper(UserOutput)
map_me = compile_mapper(MeOutput)


# Credential endpoints share the stricter THROTTLE_AUTH_RATE, per client address. (A comment,
# not a docstring: drf-spectacular would publish it as every subclass's description.)
class CredentialView(APIView):
    throttle_classes = [ScopedThrottle]
    throttle_scope = "auth"


@public
class RegisterView(CredentialView):
    class InputSerializer(StrictInputSerializer):
        email = StrictEmailField(max_length=EMAIL_MAX_LENGTH)
        password = new_password_field()
        name = StrictCharField(max_length=NAME_MAX_LENGTH)

    @extend_schema(
        request=InputSerializer,
        responses={201: UserOutput, **problem_responses(409)},
        summary="Create an account",
    )
    @inject
    def post(
        self, request: Request, service: UserService = Provide[IdentityContainer.user_service]
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = service.register(**data.validated_data)
        return Response(map_user(user), status=status.HTTP_201_CREATED)


class TokenOutput(serializers.Serializer[Any]):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


map_token = compile_mapper(TokenOutput)


@public
class LoginView(CredentialView):
    class InputSerializer(StrictInputSerializer):
        email = StrictCharField(max_length=EMAIL_MAX_LENGTH)
        password = StrictCharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: TokenOutput, **problem_responses(401)},
        summary="Exchange email and password for an API token",
        description=(
            "Wrong credentials give 401 with the same body whether or not the email exists. "
            "After LOGIN_FAILURE_LIMIT failures for one email, logins for it answer 429 "
            "with Retry-After until the lock-out ends."
        ),
    )
    @inject
    def post(
        self, request: Request, service: TokenService = Provide[IdentityContainer.token_service]
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token = service.issue(**data.validated_data)
        return Response(map_token(token))


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke the token in use")
    @inject
    def post(
        self, request: Request, service: TokenService = Provide[IdentityContainer.token_service]
    ) -> Response:
        reject_body(request.data)
        service.revoke(actor=request_actor(request), token_id=current_token_id(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    class InputSerializer(StrictInputSerializer):
        name = StrictCharField(max_length=NAME_MAX_LENGTH, required=False)
        bio = StrictCharField(max_length=BIO_MAX_LENGTH, required=False, allow_blank=True)

    @extend_schema(responses={200: MeOutput}, summary="My account")
    @inject
    def get(
        self, request: Request, service: UserService = Provide[IdentityContainer.user_service]
    ) -> Response:
        return Response(map_me(service.get(actor=request_actor(request))))

    @extend_schema(
        request=InputSerializer,
        responses={200: MeOutput},
        summary="Change my name and bio",
        description="Only `name` and `bio` are accepted; any other field is a 400.",
    )
    @inject
    def patch(
        self, request: Request, service: UserService = Provide[IdentityContainer.user_service]
    ) -> Response:
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        user = service.update_profile(actor=request_actor(request), **data.validated_data)
        return Response(map_me(user))


# --- passwords and email verification ----------------------------------------------------------


@public
class PasswordResetView(APIView):
    # Per client address (THROTTLE_PASSWORD_RESET_RATE) and per email, whoever asks
    # (THROTTLE_PASSWORD_RESET_EMAIL_RATE): neither depends on whether the account exists.
    throttle_classes = [ScopedThrottle, ScopedFieldThrottle]
    throttle_scope = "password_reset"
    throttle_field = "email"

    class InputSerializer(StrictInputSerializer):
        email = StrictEmailField(max_length=EMAIL_MAX_LENGTH)

    @extend_schema(
        request=InputSerializer,
        responses={202: None},
        summary="Ask for a password-reset email",
        description=(
            "Always 202 with no body, whether or not an account has this email: only an "
            "existing account is sent a link (to `{FRONTEND_URL}/reset-password?token=...`)."
        ),
    )
    @inject
    def post(
        self,
        request: Request,
        service: AccountService = Provide[IdentityContainer.account_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.request_password_reset(**data.validated_data)
        return Response(status=status.HTTP_202_ACCEPTED)


@public
class PasswordResetConfirmView(CredentialView):
    class InputSerializer(StrictInputSerializer):
        token = token_field()
        password = new_password_field()

    @extend_schema(
        request=InputSerializer,
        responses={204: None},
        summary="Set a new password with the token of a reset email",
        description=(
            "The token works once and expires (PASSWORD_RESET_TIMEOUT_SECONDS); a bad, used or "
            "expired one is a 400 `invalid-token`. Every API token of the account is revoked."
        ),
    )
    @inject
    def post(
        self,
        request: Request,
        service: AccountService = Provide[IdentityContainer.account_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.reset_password(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(CredentialView):
    class InputSerializer(StrictInputSerializer):
        current_password = StrictCharField(
            max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True
        )
        new_password = new_password_field()

    @extend_schema(
        request=InputSerializer,
        responses={204: None, **problem_responses(429)},
        summary="Change my password",
        description=(
            "A wrong `current_password` is a 400 and counts towards the login lock-out. Every "
            "other API token of mine is revoked; the one used here stays valid."
        ),
    )
    @inject
    def post(
        self,
        request: Request,
        service: AccountService = Provide[IdentityContainer.account_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.change_password(
            actor=request_actor(request),
            keep_token_id=current_token_id(request),
            **data.validated_data,
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@public
class VerifyEmailView(CredentialView):
    class InputSerializer(StrictInputSerializer):
        token = token_field()

    @extend_schema(
        request=InputSerializer,
        responses={204: None},
        summary="Verify my email address with the token of a verification email",
        description="A bad, used or expired token is a 400 `invalid-token`.",
    )
    @inject
    def post(
        self,
        request: Request,
        service: AccountService = Provide[IdentityContainer.account_service],
    ) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service.verify_email(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerificationEmailView(APIView):
    # Per user (THROTTLE_VERIFICATION_EMAIL_RATE).
    throttle_classes = [ScopedUserThrottle]
    throttle_scope = "verification_email"

    @extend_schema(
        request=None,
        responses={202: None},
        summary="Send me a new verification email",
        description="202 with no body; nothing is sent when my address is verified already.",
    )
    @inject
    def post(
        self,
        request: Request,
        service: AccountService = Provide[IdentityContainer.account_service],
    ) -> Response:
        reject_body(request.data)
        service.request_verification_email(actor=request_actor(request))
        return Response(status=status.HTTP_202_ACCEPTED)
