"""Admin forms for the email-keyed user model (Django's stock ones expect a username)."""

from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm

from adapters.identity.models import User


class UserCreationForm(BaseUserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(DjangoUserChangeForm[User]):
    class Meta:
        model = User
        fields = ("email", "is_active", "is_staff", "is_superuser")
