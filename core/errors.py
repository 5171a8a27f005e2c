"""Turn database constraint violations into field-level validation errors."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError

CONSTRAINT_MESSAGES: dict[str, tuple[str, str]] = {
    "open_client_name_unique_ci": ("name", "A client with this name already exists."),
    "fee_one_row_per_client_year_line": (
        "financial_year",
        "This client already has fees for that year and service line.",
    ),
    "fee_amount_not_negative": ("amount", "Fees cannot be negative."),
    "assignment_ends_after_start": ("end_date", "The end date cannot be before the start date."),
    "one_current_crp_per_client": ("user", "This client already has a current Client Relationship Partner."),
    "one_current_role_per_person_per_client": ("user", "This person already has a current role on this team."),
    "crp_periods_do_not_overlap": ("start_date", "CRP periods of one client cannot overlap."),
    "active_client_has_a_crp": ("crp", "An active client must always have exactly one current CRP."),
    "active_client_keeps_a_crp": ("end_date", "An active client must always have exactly one current CRP."),
    "must always have exactly one current CRP": ("crp", "An active client must always have exactly one current CRP."),
}


def validation_error_from(exc: IntegrityError, extra: dict[str, tuple[str, str]] | None = None) -> ValidationError:
    """A ValidationError naming the field behind a violated constraint (or a general error)."""
    messages = {**CONSTRAINT_MESSAGES, **(extra or {})}
    text = str(exc)
    diag = getattr(getattr(exc, "__cause__", None), "diag", None)
    constraint = getattr(diag, "constraint_name", None) or ""
    for name, (field, message) in messages.items():
        if name == constraint or name in text:
            return ValidationError({field: message})
    return ValidationError("The change conflicts with existing data and was not saved.")
