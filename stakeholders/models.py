"""People at the client, how the firm knows them, and every touchpoint."""

import datetime
from typing import TYPE_CHECKING

import pghistory
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Client, free_text
from accounts.validators import sensible_date
from core.models import Versioned, tracked

if TYPE_CHECKING:
    from stakeholders.selectors.people import Engagement


class Seniority(models.TextChoices):
    BOARD = "board", "Board"
    C_SUITE = "c_suite", "C-suite"
    SENIOR = "senior", "Senior management"
    MIDDLE = "middle", "Middle management"
    OTHER = "other", "Other"


SENIOR_LEVELS = (Seniority.BOARD, Seniority.C_SUITE)
STRONG_STRENGTH = 3  # a relationship at least this strong covers the person (coverage gaps)


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision-maker"
    INFLUENCER = "influencer", "Influencer"
    GATEKEEPER = "gatekeeper", "Gatekeeper"
    CHAMPION = "champion", "Champion"
    USER = "user", "User"
    BLOCKER = "blocker", "Blocker"


class StakeholderStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    LEFT = "left", "Left the client"


def key_person_q() -> Q:
    """Key people: board, C-suite or decision-maker (the people senior coverage and coverage gaps
    count). A Q so that it filters stakeholder rows and their history rows alike."""
    return Q(seniority__in=SENIOR_LEVELS) | Q(buying_role=BuyingRole.DECISION_MAKER)


class StakeholderQuerySet(models.QuerySet):
    def key_people(self) -> "StakeholderQuerySet":
        return self.filter(key_person_q())


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    pghistory.ManualEvent("personal_data.exported"),
    pghistory.ManualEvent("personal_data.erased"),
)
class Stakeholder(Versioned):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=100, blank=True)
    seniority = models.CharField(max_length=10, choices=Seniority.choices, default=Seniority.OTHER)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    buying_role = models.CharField(max_length=20, choices=BuyingRole.choices, default=BuyingRole.USER)
    attitude = models.SmallIntegerField(default=0, help_text="−2 opponent … +2 advocate")
    influence = models.PositiveSmallIntegerField(default=3, help_text="1 (low) … 5 (high)")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=StakeholderStatus.choices, default=StakeholderStatus.ACTIVE)
    notes = free_text()
    external_id = models.CharField(max_length=100, blank=True, help_text="ID in the system it was imported from")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = StakeholderQuerySet.as_manager()

    # Not stored: set on the rows that stakeholders.selectors.people loads for the client pages.
    rels: "list[Relationship]"
    primary: "Relationship | None"
    role_label: str
    seniority_label: str
    last_contacted: datetime.date | None
    days_since_contact: int | None

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attitude__gte=-2, attitude__lte=2),
                name="stakeholder_attitude_range",
                violation_error_message="Attitude runs from −2 (opponent) to +2 (advocate).",
            ),
            models.CheckConstraint(
                condition=Q(influence__gte=1, influence__lte=5),
                name="stakeholder_influence_range",
                violation_error_message="Influence runs from 1 to 5.",
            ),
            models.CheckConstraint(condition=~Q(reports_to=models.F("pk")), name="stakeholder_not_own_manager"),
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~Q(external_id=""),
                name="stakeholder_external_id_unique_per_client",
                violation_error_message="Another stakeholder of this client has this external id.",
            ),
        ]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("client-detail", args=[self.client_id]) + f"#stakeholder-{self.pk}"

    @property
    def is_key_person(self) -> bool:
        """Board, C-suite or decision-maker: the row-level reading of `key_person_q`."""
        return self.seniority in SENIOR_LEVELS or self.buying_role == BuyingRole.DECISION_MAKER


@tracked
class Relationship(Versioned):
    """A firm person who knows a stakeholder, how well, and how well the plan wants them to."""

    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="relationships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relationships")
    strength = models.PositiveSmallIntegerField(default=1, help_text="1 acquaintance … 5 trusted adviser")
    target_strength = models.PositiveSmallIntegerField(null=True, blank=True)
    is_primary = models.BooleanField(default=False, help_text="The primary relationship owner")
    notes = free_text()

    # Not stored: set by stakeholders.selectors.people.attach_engagement for the client pages.
    engagement: "Engagement"
    is_stale: bool

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stakeholder", "user"],
                name="one_relationship_per_pair",
                violation_error_message="This person already has a relationship with them.",
            ),
            models.UniqueConstraint(
                fields=["stakeholder"],
                condition=Q(is_primary=True),
                name="one_primary_owner_per_stakeholder",
                violation_error_message="This stakeholder already has a primary owner.",
            ),
            models.CheckConstraint(
                condition=Q(strength__gte=1, strength__lte=5),
                name="relationship_strength_range",
                violation_error_message="Strength runs from 1 to 5.",
            ),
            models.CheckConstraint(
                condition=Q(target_strength__isnull=True) | Q(target_strength__gte=1, target_strength__lte=5),
                name="relationship_target_range",
                violation_error_message="Target strength runs from 1 to 5.",
            ),
        ]
        # "Senior contacts nobody knows well" (coverage gaps) looks for the absence of these.
        indexes = [
            models.Index(
                fields=["stakeholder"], condition=Q(strength__gte=STRONG_STRENGTH), name="strong_relationship_by_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} knows {self.stakeholder} ({self.strength}/5)"


class InteractionKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    EVENT = "event", "Event"
    CLIENT_REVIEW = "client_review", "Client review"
    SOCIAL = "social", "Social"


class InteractionSource(models.TextChoices):
    """Where an interaction came from: shown on the client page beside it."""

    TYPED = "typed", "Typed"
    MAILBOX = "mailbox", "Mailbox"
    INVITE = "invite", "Invite"
    IMPORT = "import", "Import"


@tracked
class Interaction(models.Model):
    """A touchpoint with the client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="interactions")
    date = models.DateField(default=timezone.localdate, validators=[sensible_date])
    kind = models.CharField(max_length=20, choices=InteractionKind.choices, default=InteractionKind.MEETING)
    sentiment = models.SmallIntegerField(default=0, help_text="−2 … +2")
    summary = models.CharField(max_length=500)
    follow_up = models.CharField(max_length=500, blank=True)
    firm_attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="interactions")
    stakeholders = models.ManyToManyField(Stakeholder, blank=True, related_name="interactions")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    external_ref = models.CharField(max_length=100, blank=True, help_text="ID in the system it was imported from")
    source = models.CharField(max_length=10, choices=InteractionSource.choices, default=InteractionSource.TYPED)
    capture_key = models.CharField(
        max_length=255, blank=True, help_text="Message-ID or calendar UID it was captured from (one interaction each)"
    )

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sentiment__gte=-2, sentiment__lte=2),
                name="interaction_sentiment_range",
                violation_error_message="Sentiment runs from −2 to +2.",
            ),
            models.UniqueConstraint(
                fields=["capture_key"],
                condition=~Q(capture_key=""),
                name="interaction_capture_key_unique",
                violation_error_message="This message or meeting has already been captured.",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-date"]),
            # The API's list, newest first: read along this index until a page is full.
            models.Index(fields=["-date", "-id"], name="interaction_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.client} on {self.date}"


class ImportKind(models.TextChoices):
    STAKEHOLDERS = "stakeholders", "Stakeholders"
    INTERACTIONS = "interactions", "Interactions"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "All or nothing"
    VALID_ONLY = "valid_only", "Only the valid rows"


class ImportStatus(models.TextChoices):
    PREVIEW_QUEUED = "preview_queued", "Waiting to check"
    PREVIEWING = "previewing", "Checking"
    PREVIEWED = "previewed", "Checked"
    IMPORT_QUEUED = "import_queued", "Waiting to import"
    IMPORTING = "importing", "Importing"
    DONE = "done", "Imported"
    REFUSED = "refused", "Not imported"
    FAILED = "failed", "Failed"


WAITING_STATUSES = (ImportStatus.PREVIEW_QUEUED, ImportStatus.IMPORT_QUEUED)
RUNNING_STATUSES = (ImportStatus.PREVIEWING, ImportStatus.IMPORTING)
# A check or an import whose run was lost this many times is given up: the file itself may be what
# stops it (a worker killed for its memory, say), and it would otherwise be taken up again forever.
IMPORT_MAX_RUNS = 3


def import_stale_after() -> datetime.timedelta:
    """A check or import still running this long after its run took it up lost that run."""
    return datetime.timedelta(seconds=settings.STAKEHOLDER_IMPORT_STALE_SECONDS)


class ImportJob(models.Model):
    """One uploaded CSV file: its dry-run check, the import run and the outcome, kept for the record."""

    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="imports/stakeholders/%Y/%m/")
    original_name = models.CharField(max_length=255)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEW_QUEUED)
    mode = models.CharField(max_length=20, choices=ImportMode.choices, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    changed_meanwhile = models.PositiveIntegerField(
        default=0, help_text="Rows skipped because someone changed their record while the import ran"
    )
    errors = models.JSONField(default=list, blank=True, help_text="[{row, field, message}], capped")
    message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When it was last queued, to check or to import")
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a run last took it up, to check or to import"
    )
    runs = models.PositiveSmallIntegerField(
        default=0, help_text="Runs that took up its current step; more than one means a run was lost"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.original_name}"

    @property
    def percent_done(self) -> int:
        return min(100, round(100 * self.rows_done / self.rows_total)) if self.rows_total else 0

    @property
    def is_running(self) -> bool:
        return self.status in WAITING_STATUSES + RUNNING_STATUSES

    @property
    def running_since(self) -> datetime.datetime:
        # Jobs taken up before claimed_at was recorded count from when they were queued.
        return self.claimed_at or self.queued_at or self.created_at

    @property
    def stalled(self) -> bool:
        """Checking or importing for longer than any run may take: its worker was lost."""
        return self.status in RUNNING_STATUSES and timezone.now() - self.running_since > import_stale_after()

    @property
    def will_be_retried(self) -> bool:
        return self.stalled and self.runs < IMPORT_MAX_RUNS

    def discard_file_on_commit(self) -> None:
        """Delete the uploaded file once the transaction that ends the job commits (a rollback keeps
        it for the run that takes the job over). The counts and the row report stay on the job."""
        name = self.file.name
        if not name:
            return

        def discard() -> None:
            self.file.storage.delete(name)
            ImportJob.objects.filter(pk=self.pk, file=name).update(file="")

        transaction.on_commit(discard)
