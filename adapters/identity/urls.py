from django.urls import path

from adapters.identity import views

urlpatterns = [
    path("auth/register", views.RegisterView.as_view(), name="auth-register"),
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/password-reset", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm",
        views.PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/verify-email", views.VerifyEmailView.as_view(), name="auth-verify-email"),
    path("me", views.MeView.as_view(), name="me"),
    path("me/password", views.PasswordChangeView.as_view(), name="me-password"),
    path(
        "me/verification-email",
        views.VerificationEmailView.as_view(),
        name="me-verification-email",
    ),
]
