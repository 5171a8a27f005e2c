"""CRP stewardship: capability profiles and credentials, client needs, successions, the decision log
of CRP signals, rotation decisions and the record of who viewed whose scorecard."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from accounts.models import Client, ServiceLine, free_text
from accounts.validators import sensible_date
from core.models import tracked
from planning.choices import Persona
from stewardship.choices import Decision, ProposalStatus, Readiness, SignalKind


def word_list(verbose_name: str, help_text: str = "") -> ArrayField:
    return ArrayField(
        models.CharField(max_length=100), default=list, blank=True, verbose_name=verbose_name, help_text=help_text
    )


@tracked
class CapabilityProfile(models.Model):
    """What a partner brings to a client: sectors, service lines, languages, jurisdictions, personas."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capability")
    sectors = word_list("Sectors")
    languages = word_list("Languages")
    jurisdictions = word_list("Offices and jurisdictions")
    service_lines = models.ManyToManyField(ServiceLine, blank=True, related_name="+")
    persona_strengths = ArrayField(models.CharField(max_length=30, choices=Persona.choices), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Capabilities of {self.user}"


@tracked
class Credential(models.Model):
    """A qualification or licence a partner holds, with the day it lapses."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials")
    name = models.CharField(max_length=150)
    obtained_on = models.DateField(null=True, blank=True, validators=[sensible_date])
    expires_on = models.DateField(null=True, blank=True, validators=[sensible_date])

    class Meta:
        ordering = ["expires_on", "name"]
        constraints = [
            models.UniqueConstraint(
                "user",
                models.functions.Lower("name"),
                name="credential_once_per_person",
                violation_error_message="This partner already holds a credential of that name.",
            )
        ]

    def __str__(self) -> str:
        return self.name


@tracked
class ClientNeeds(models.Model):
    """What a key client needs of its CRP beyond its sector: languages, credentials, and the
    competitors whose CRP should not lead it too."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="crp_needs")
    languages = word_list("Languages")
    required_credentials = word_list("Required credentials")
    competitors = models.ManyToManyField(Client, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"CRP needs of {self.client}"


@tracked
class Succession(models.Model):
    """A key client's named successor to the CRP, how ready they are, and what would make them ready."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="succession")
    successor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    readiness = models.CharField(max_length=20, choices=Readiness.choices, default=Readiness.NOT_YET)
    development_actions = free_text("Development actions")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.successor} to succeed on {self.client}"


@tracked
class CrpSignal(models.Model):
    """A CRP signal as first seen, so its age can be judged; cleared when it no longer fires."""

    kind = models.CharField(max_length=20, choices=SignalKind.choices)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    detail = models.CharField(max_length=300, blank=True)
    first_seen = models.DateField()
    last_seen = models.DateField()
    cleared_on = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["first_seen", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "partner", "client"],
                condition=Q(cleared_on__isnull=True),
                name="one_open_signal_per_kind",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


@tracked
class SignalDecision(models.Model):
    """A managing partner's decision on a CRP signal, with the figures it was taken on, so the
    outcome a quarter later can be read against them."""

    signal = models.ForeignKey(CrpSignal, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField(max_length=2000)
    review_on = models.DateField(validators=[sensible_date])
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField()
    score_then = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    retention_then = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    transition = models.ForeignKey(
        "planning.Transition", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return self.get_decision_display()


@tracked
class RotationDecision(models.Model):
    """A managing partner's answer to a proposed rotation quarter: accepted (a transition opened),
    moved to another quarter, or declined, each with its reason."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    outgoing = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices)
    quarter_start = models.DateField()
    reason = models.TextField(max_length=2000)
    transition = models.ForeignKey(
        "planning.Transition", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField()

    class Meta:
        ordering = ["-decided_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} rotation of {self.client}"


class ScorecardView(models.Model):
    """Someone opened another partner's scorecard (HR-sensitive): who, whose, which quarter, when."""

    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    quarter = models.CharField(max_length=10)
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-viewed_at"]
        indexes = [models.Index(fields=["partner", "-viewed_at"])]

    def __str__(self) -> str:
        return f"{self.viewer} viewed {self.partner}'s scorecard"
