from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from adapters.identity.forms import UserChangeForm, UserCreationForm
from adapters.identity.models import Profile, User


class ProfileInline(admin.StackedInline[Profile, User]):
    model = Profile
    can_delete = False
    min_num = 1  # every user has a profile, also those created here
    readonly_fields = ("updated_at",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]  # the stubs make UserAdmin generic over AbstractUser
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = (
        "email",
        "profile_name",
        "email_verified",
        "is_active",
        "is_staff",
        "date_joined",
        "last_login",
    )
    list_filter = ("is_active", "email_verified", "is_staff", "is_superuser")
    search_fields = ("email", "profile__name")
    readonly_fields = ("date_joined", "last_login")
    list_select_related = ("profile",)
    inlines = (ProfileInline,)
    fieldsets = (
        (None, {"fields": ("email", "email_verified", "password")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ("groups", "user_permissions")

    @admin.display(description="name", ordering="profile__name")
    def profile_name(self, user: User) -> str:
        return user.profile.name if hasattr(user, "profile") else ""


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ("name", "user", "updated_at")
    search_fields = ("name", "user__email")
    list_select_related = ("user",)
    raw_id_fields = ("user",)
    readonly_fields = ("updated_at",)
