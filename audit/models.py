"""The firm-wide audit log: one append-only table of who did what, when, from where.

Append-only is enforced by PostgreSQL, not by the code: a trigger refuses every UPDATE, and every
DELETE of an entry still inside its retention period (`retain_until`, set when it is written from
AUDIT_RETENTION_DAYS). So neither the admin, the ORM, nor a raw SQL statement can change history;
only the retention purge removes entries, and only expired ones. A statement-level trigger refuses
TRUNCATE too, which would otherwise empty the table without firing the row triggers. (DROP TABLE and
switching triggers off remain a table owner's statements: the application's database role should not
own the tables in production.)
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    LOCKOUT = "lockout", "Locked out"
    SSO_ERROR = "sso_error", "Single sign-on refused"
    SIGN_OUT = "sign_out", "Signed out"
    PERMISSION_CHANGE = "permission_change", "Permission changed"
    PROVISIONING = "provisioning", "Provisioning"
    SESSIONS_REVOKED = "sessions_revoked", "Sessions revoked"
    MFA = "mfa", "Multi-factor"
    EXPORT = "export", "Export"
    DOWNLOAD = "download", "Download"
    WALL_CHANGE = "wall_change", "Ethical wall changed"
    PERSONAL_DATA_EXPORT = "personal_data_export", "Personal data exported"
    PERSONAL_DATA_ERASURE = "personal_data_erasure", "Personal data erased"


class AuditEntry(models.Model):
    """One event. Users and clients are referenced without a database constraint (and never cleared):
    an entry outlives any row it names, and clearing a reference would be an update."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True, help_text="Who, as they were named then")
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    client = models.ForeignKey(
        "accounts.Client", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    retain_until = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["kind", "at"]),
            models.Index(fields=["actor", "at"]),
            models.Index(fields=["client", "at"]),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="audit_entries_are_never_updated",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func="RAISE EXCEPTION 'The audit log is append-only: entries cannot be changed.' "
                "USING ERRCODE = 'insufficient_privilege';",
            ),
            pgtrigger.Trigger(
                name="audit_entries_kept_until_retention_ends",
                operation=pgtrigger.Delete,
                when=pgtrigger.Before,
                func="""
                IF OLD.retain_until > now() THEN
                    RAISE EXCEPTION 'The audit log is append-only: entry % is kept until %.', OLD.id,
                        OLD.retain_until USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN OLD;
                """,
            ),
            pgtrigger.Trigger(
                name="audit_log_is_never_truncated",
                operation=pgtrigger.Truncate,
                when=pgtrigger.Before,
                level=pgtrigger.Statement,
                func="RAISE EXCEPTION 'The audit log is append-only: it cannot be truncated.' "
                "USING ERRCODE = 'insufficient_privilege';",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.summary}"
