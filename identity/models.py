"""Enterprise identity: links to the firm's identity provider, the claim/group → role mapping an
admin edits, SCIM provisioning (its bearer tokens and groups) and the sessions people hold."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.models import Office, PracticeGroup, Role


class Provider(models.TextChoices):
    OIDC = "oidc", "OpenID Connect"
    SAML = "saml", "SAML 2.0"
    SCIM = "scim", "SCIM provisioning"


class ExternalIdentity(models.Model):
    """A firm person as the identity provider names them (OIDC `sub`, SAML NameID, SCIM externalId)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="one_user_per_external_subject"),
            models.UniqueConstraint(fields=["provider", "user"], name="one_subject_per_user_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.subject}"


class AttributeMapping(models.Model):
    """One rule: when the provider says `claim` holds `value` (a group, a department…), the person gets
    this role, practice group and office. Lower `priority` wins where rules disagree; a blank target
    leaves that attribute as it is."""

    claim = models.CharField(
        max_length=100,
        default="groups",
        help_text="The claim or SAML attribute to read (“groups” also means SCIM group membership).",
    )
    value = models.CharField(max_length=255, help_text="The group name or claim value, compared exactly.")
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    practice_group = models.ForeignKey(PracticeGroup, null=True, blank=True, on_delete=models.CASCADE)
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.CASCADE)
    priority = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["priority", "claim", "value"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "value"], name="one_mapping_per_claim_value"),
            models.CheckConstraint(
                condition=~Q(role="") | Q(practice_group__isnull=False) | Q(office__isnull=False),
                name="mapping_sets_something",
                violation_error_message="A mapping must set a role, a practice group or an office.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim} = {self.value}"


class ScimToken(models.Model):
    """The bearer token the identity provider's provisioning client sends. Only its digest is kept."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "SCIM token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ScimGroup(models.Model):
    """A group as provisioned by the identity provider; membership feeds the role mapping."""

    display_name = models.CharField(max_length=255, unique=True)
    external_id = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="scim_groups")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class UserSession(models.Model):
    """A signed-in browser session, so that people see theirs and can end them all, and deactivation
    ends them at once. The session itself stays in Django's session store under `session_key`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    method = models.CharField(max_length=20, default="password")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class SamlAssertionSeen(models.Model):
    """Ids of SAML assertions already used, kept until they expire: the same assertion twice is a replay."""

    assertion_id = models.CharField(max_length=255, unique=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.assertion_id
