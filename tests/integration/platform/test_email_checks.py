"""The deployment checks of the email settings (bastion.W005, E006, W007) and EMAIL_URL."""

from __future__ import annotations

import os
import subprocess
import sys

import environ
import pytest
from django.test import override_settings

from adapters.platform.checks import deploy

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    ],
)
def test_emails_that_are_not_sent_are_a_warning(backend: str) -> None:
    with override_settings(EMAIL_BACKEND=backend):
        assert [message.id for message in deploy.emails_are_sent()] == ["bastion.W005"]
    with override_settings(EMAIL_BACKEND=SMTP):
        assert deploy.emails_are_sent() == []


@pytest.mark.parametrize(
    ("url", "ids"),
    [
        ("", ["bastion.E006"]),
        ("app.example.com", ["bastion.E006"]),
        ("/relative", ["bastion.E006"]),
        ("http://app.example.com", ["bastion.W007"]),
        ("https://app.example.com", []),
    ],
)
def test_the_frontend_url_must_be_an_absolute_https_url(url: str, ids: list[str]) -> None:
    with override_settings(FRONTEND_URL=url):
        assert [message.id for message in deploy.frontend_url_is_set()] == ids


def test_email_url_names_the_smtp_server_and_its_tls() -> None:
    starttls = environ.Env.email_url_config("smtp+tls://mailer:secret@smtp.example.com:587")
    implicit = environ.Env.email_url_config("smtp+ssl://mailer:secret@smtp.example.com:465")

    assert starttls["EMAIL_BACKEND"] == SMTP
    assert (starttls["EMAIL_HOST"], starttls["EMAIL_PORT"]) == ("smtp.example.com", 587)
    assert (starttls["EMAIL_HOST_USER"], starttls["EMAIL_HOST_PASSWORD"]) == ("mailer", "secret")
    assert starttls["EMAIL_USE_TLS"] is True
    assert implicit["EMAIL_USE_SSL"] is True


def _production_email_backend(**env: str) -> str:
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "DJANGO_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="src.settings.prod", DJANGO_SECRET_KEY="x" * 60, **env
    )
    completed = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return completed.stdout.strip()


def test_production_without_email_url_discards_emails_rather_than_logging_their_links() -> None:
    assert _production_email_backend() == "django.core.mail.backends.dummy.EmailBackend"
    assert _production_email_backend(EMAIL_URL="smtp://127.0.0.1:25") == SMTP
