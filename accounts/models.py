"""Firm users and roles, clients, service lines, fees and CRP assignments.

Over the ~400-line house limit: the team constraints (one current CRP, no overlapping periods) sit
beside the models they bind.
"""

import datetime
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from django.utils import timezone

from accounts.querysets import ClientQuerySet, NotificationQuerySet, UserQuerySet
from accounts.validators import sensible_date
from core.models import Versioned, tracked

# Notes and other free text people type: pages of notes fit, and a page showing them stays light.
# On the model (not only the form), so the page forms, the API and the services refuse the same.
FREE_TEXT_MAX_LENGTH = 10_000


def free_text(verbose_name: str | None = None) -> models.TextField:
    """An optional free-text field capped at FREE_TEXT_MAX_LENGTH characters everywhere it is written."""
    return models.TextField(
        verbose_name, blank=True, max_length=FREE_TEXT_MAX_LENGTH, validators=[MaxLengthValidator(FREE_TEXT_MAX_LENGTH)]
    )


class Role(models.TextChoices):
    PARTNER = "partner", "Partner"
    BD = "bd", "Business development"
    MANAGING_PARTNER = "managing_partner", "Managing partner"
    ADMIN = "admin", "Administrator"


class PracticeGroup(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Office(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person at the firm. Logs in with their email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTNER)
    job_title = models.CharField(max_length=100, blank=True)
    practice_group = models.ForeignKey(
        PracticeGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    is_active = models.BooleanField(default=True)
    weekly_digest = models.BooleanField(default=True, help_text="Send me the weekly summary email")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_perm(self, perm: str, obj=None) -> bool:
        from accounts import access

        return access.is_administrator(self) or super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        from accounts import access

        return access.is_administrator(self) or super().has_module_perms(app_label)

    @property
    def is_staff(self) -> bool:
        """The Django admin is for administrators (the gate lives in accounts.access)."""
        from accounts import access

        return access.is_administrator(self)

    # The role gates live in accounts.access; these two read them for templates and older callers.
    @property
    def sees_all_open_clients(self) -> bool:
        from accounts import access

        return access.sees_all_open_clients(self)

    @property
    def sees_behind_walls(self) -> bool:
        from accounts import access

        return access.sees_behind_walls(self)


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 digest is kept: the token itself is shown once, when made."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “Excel fee sync”")
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell tokens apart")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class Tier(models.Model):
    """The firm's key-client programme tier (Growth / Develop / Maintain by default)."""

    name = models.CharField(max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Lower ranks are more strategic.")
    description = models.CharField(max_length=200, blank=True)
    workload_weight = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text="How much leading a client of this tier weighs on a partner's workload.",
    )

    class Meta:
        ordering = ["rank", "name"]

    def __str__(self) -> str:
        return self.name


class ServiceLine(models.Model):
    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DORMANT = "dormant", "Dormant"
    LOST = "lost", "Lost"


@pghistory.track()
class Client(Versioned):
    """A key account."""

    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="clients")
    status = models.CharField(max_length=10, choices=ClientStatus.choices, default=ClientStatus.ACTIVE)
    confidential = models.BooleanField(
        default=False, help_text="Ethical wall: only the client team, managing partners and admins see it."
    )
    service_lines = models.ManyToManyField(ServiceLine, blank=True, related_name="clients")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="The group company this client belongs to (any depth; a client is never its own ancestor).",
    )
    notes = free_text()
    review_cadence_days = models.PositiveSmallIntegerField(
        default=91,
        validators=[MinValueValidator(7), MaxValueValidator(366)],
        help_text="How often the client should have a relationship review (QBR).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            # Only open clients: everyone sees them. Among confidential ones accounts.services checks
            # names against what the person saving may see, so a refusal never reveals a hidden client.
            models.UniqueConstraint(
                Lower("name"),
                condition=Q(confidential=False),
                name="open_client_name_unique_ci",
                violation_error_message="A client with this name already exists.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "tier"]),
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="client_name_trgm"),
            # Lists and the API page clients by name: read the first 50 in order instead of sorting all.
            models.Index(fields=["name"], name="client_name_order"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="active_client_has_a_crp",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.After,
                timing=pgtrigger.Deferred,
                func="""
                IF NEW.status = 'active' AND NOT EXISTS (
                    SELECT 1 FROM accounts_assignment a
                    WHERE a.client_id = NEW.id AND a.role = 'crp' AND a.end_date IS NULL
                ) THEN
                    RAISE EXCEPTION 'An active client must always have exactly one current CRP (client %).', NEW.id
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
                """,
            ),
            # Groups are trees: walking up from the new parent must never reach the client itself.
            # One transaction-scoped lock for every parent change, so two concurrent changes
            # (A under B, B under A) cannot each pass the check before seeing the other.
            pgtrigger.Trigger(
                name="client_parent_no_cycle",
                operation=pgtrigger.Insert | pgtrigger.UpdateOf("parent_id"),
                when=pgtrigger.Before,
                condition=pgtrigger.Q(new__parent__isnull=False),
                func="""
                PERFORM pg_advisory_xact_lock(hashtext('accounts_client_parent'));
                IF EXISTS (
                    WITH RECURSIVE up(id) AS (
                        SELECT NEW.parent_id
                        UNION
                        SELECT c.parent_id FROM accounts_client c JOIN up ON c.id = up.id
                        WHERE c.parent_id IS NOT NULL
                    )
                    SELECT 1 FROM up WHERE id = NEW.id
                ) THEN
                    RAISE EXCEPTION 'A client cannot sit under itself or its own subsidiary (client %).',
                        NEW.id USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
                """,
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("client-detail", args=[self.pk])


def current_financial_year(today: datetime.date | None = None) -> int:
    """The financial year that contains `today`, named by the calendar year it ends in."""
    today = today or timezone.localdate()
    start_month = settings.FINANCIAL_YEAR_START_MONTH
    if start_month == 1:
        return today.year
    return today.year + 1 if today.month >= start_month else today.year


@tracked
class FeeRecord(models.Model):
    """Fee income billed to a client in one financial year by one service line."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="fees")
    service_line = models.ForeignKey(ServiceLine, on_delete=models.PROTECT, related_name="fees")
    financial_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text="The year the financial year ends in: FY2026 is 2026.",
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["-financial_year", "service_line__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "financial_year", "service_line"],
                name="fee_one_row_per_client_year_line",
                violation_error_message="This client already has fees for that year and line.",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="fee_amount_not_negative",
                violation_error_message="Fees cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(financial_year__gte=1990, financial_year__lte=2100), name="fee_financial_year_plausible"
            ),
        ]
        indexes = [models.Index(fields=["financial_year", "client"])]

    def __str__(self) -> str:
        return f"{self.client} FY{self.financial_year} {self.service_line}: {self.amount}"


class AssignmentRole(models.TextChoices):
    CRP = "crp", "Client Relationship Partner"
    SAM = "sam", "Strategic account manager"
    TEAM = "team", "Team member"


class DateRange(Func):
    function = "daterange"
    output_field = DateRangeField()


@tracked
class Assignment(models.Model):
    """A firm person's role on a client's team for a period. Ended, never deleted."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=10, choices=AssignmentRole.choices)
    start_date = models.DateField(default=timezone.localdate, validators=[sensible_date])
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="The day the role ended (the person no longer held it from then).",
        validators=[sensible_date],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "role", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="assignment_ends_after_start",
                violation_error_message="The end date cannot be before the start date.",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(role="crp", end_date__isnull=True),
                name="one_current_crp_per_client",
                violation_error_message="This client already has a current Client Relationship Partner.",
            ),
            models.UniqueConstraint(
                fields=["client", "user"],
                condition=Q(end_date__isnull=True),
                name="one_current_role_per_person_per_client",
                violation_error_message="This person already has a current role on this client's team.",
            ),
            ExclusionConstraint(
                name="crp_periods_do_not_overlap",
                expressions=[
                    ("client", RangeOperators.EQUAL),
                    (DateRange("start_date", "end_date", models.Value("[)")), RangeOperators.OVERLAPS),
                ],
                condition=Q(role="crp"),
                violation_error_message="CRP periods of one client cannot overlap.",
            ),
        ]
        indexes = [
            models.Index(
                fields=["user", "client"], condition=Q(end_date__isnull=True), name="assignment_current_by_user"
            ),
        ]
        triggers = [
            # Deferred to commit so a client and its first CRP can be created in one transaction.
            pgtrigger.Trigger(
                name="active_client_keeps_a_crp",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.After,
                timing=pgtrigger.Deferred,
                func="""
                IF EXISTS (
                    SELECT 1 FROM accounts_client c
                    WHERE c.id = OLD.client_id AND c.status = 'active'
                      AND NOT EXISTS (SELECT 1 FROM accounts_assignment a
                                      WHERE a.client_id = c.id AND a.role = 'crp' AND a.end_date IS NULL)
                ) THEN
                    RAISE EXCEPTION 'An active client must always have exactly one current CRP (client %).',
                        OLD.client_id USING ERRCODE = 'check_violation';
                END IF;
                RETURN NULL;
                """,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} of {self.client}"

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class Notification(models.Model):
    """An in-app message to one firm person (alerts, finished reports…)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(
        max_length=200, blank=True, help_text="Same key, same user: one notification, however often the event repeats"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once_per_event"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title
