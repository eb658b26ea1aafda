"""Organizations' tables: organizations, the memberships that give users their roles, and the
invitations that are the way in."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from contexts.organizations.domain.model import NAME_MAX_LENGTH, InvitationStatus
from kernel.tenancy import Role


class Organization(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name=""), name="organizations_organization_name_not_blank"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (#{self.pk})"


class Membership(models.Model):
    ROLE_CHOICES = [(role.value, role.value.title()) for role in Role]

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    # By the setting, not an import: adapters of different contexts never import each other.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="organizations_membership_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[role.value for role in Role]),
                name="organizations_membership_role_valid",
            ),
        ]
        indexes = [
            # "My organizations", and the tenancy lookup (user, organization) of every request.
            models.Index(fields=["user", "organization"], name="org_membership_user_idx"),
            # Owners of an organization, counted under lock on every role change.
            models.Index(fields=["organization", "role"], name="org_membership_role_idx"),
        ]

    def __str__(self) -> str:
        return f"user #{self.user_id} is {self.role} of organization #{self.organization_id}"


class Invitation(models.Model):
    ROLE_CHOICES = Membership.ROLE_CHOICES
    STATUS_CHOICES = [(status.value, status.value.title()) for status in InvitationStatus]

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()  # lower-cased, as accounts are keyed
    role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    status = models.CharField(
        max_length=10, choices=STATUS_CHOICES, default=InvitationStatus.PENDING.value
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # One pending invitation per address and organization: a new one replaces it.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(status=InvitationStatus.PENDING.value),
                name="organizations_invitation_one_pending",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[role.value for role in Role]),
                name="organizations_invitation_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[status.value for status in InvitationStatus]),
                name="organizations_invitation_status_valid",
            ),
        ]
        indexes = [
            # The organization's open invitations, newest first (the list).
            models.Index(fields=["organization", "status", "-id"], name="org_invitation_list_idx"),
            # The expiry job: pending invitations by expiry.
            models.Index(fields=["status", "expires_at"], name="org_invitation_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email} to organization #{self.organization_id} ({self.status})"
